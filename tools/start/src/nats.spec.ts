import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable, parseNatsInfo } from './nats.js';

describe('parseNatsInfo', () => {
  it('reads the version and whether JetStream is on', () => {
    expect(parseNatsInfo('INFO {"server_id":"x","version":"2.10.4","jetstream":true,"max_payload":1048576}')).toEqual({
      answers: true,
      version: '2.10.4',
      jetstream: true,
    });
    expect(parseNatsInfo('INFO {"version":"2.9.10"}')).toEqual({ answers: true, version: '2.9.10', jetstream: false });
  });

  it('treats anything else as no NATS', () => {
    expect(parseNatsInfo('HTTP/1.1 400 Bad Request')).toEqual({ answers: false });
    expect(parseNatsInfo('INFO {broken')).toEqual({ answers: false });
  });
});

describe('findExecutable', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'credence-path-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds an executable file along PATH, skipping non-executable ones', () => {
    // given a non-executable nats-server first on PATH and an executable one later
    mkdirAndWrite(join(dir, 'a'), 0o644);
    mkdirAndWrite(join(dir, 'b'), 0o755);

    // then the executable one is found
    expect(findExecutable('nats-server', ['/nonexistent', join(dir, 'a'), join(dir, 'b')].join(':'))).toBe(join(dir, 'b', 'nats-server'));
    expect(findExecutable('nats-server', join(dir, 'a'))).toBeUndefined();
    expect(findExecutable('nats-server', undefined)).toBeUndefined();
  });

  function mkdirAndWrite(sub: string, mode: number): void {
    mkdirSync(sub);
    writeFileSync(join(sub, 'nats-server'), '#!/bin/sh\n');
    chmodSync(join(sub, 'nats-server'), mode);
  }
});
