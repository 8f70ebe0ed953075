import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable, probeNats, startNatsServer } from './nats.js';
import { freePort } from '@credence/testing';
import { discard } from './test-support.js';

describe('NATS fallback', () => {
  let storeParent: string;
  beforeEach(() => {
    storeParent = mkdtempSync(join(tmpdir(), 'credence-nats-'));
  });
  afterEach(() => rmSync(storeParent, { recursive: true, force: true }));

  it('recognises the NATS server that already runs here, with JetStream', async () => {
    await expect(probeNats('127.0.0.1', 4222)).resolves.toMatchObject({ answers: true, jetstream: true });
  });

  it('starts nats-server from PATH with JetStream when nothing answers, and stops it', async () => {
    // given a port nothing answers on, and nats-server on PATH
    const port = await freePort();
    await expect(probeNats('127.0.0.1', port, 300)).resolves.toEqual({ answers: false });
    const executable = findExecutable('nats-server', process.env.PATH);
    if (executable === undefined) throw new Error('this test needs nats-server on PATH');

    // when the fallback starts it
    const started = await startNatsServer({ executable, port, storeDir: join(storeParent, 'nats'), output: discard() });
    if (!started.ok) throw new Error(started.message);

    // then it answers with JetStream on, until stopped
    await expect(probeNats('127.0.0.1', port)).resolves.toMatchObject({ answers: true, jetstream: true });
    const exit = await started.value.stop(5_000);
    expect(exit.signal).not.toBe('SIGKILL'); // it went on SIGTERM, within the grace period
    await expect(probeNats('127.0.0.1', port, 300)).resolves.toEqual({ answers: false });
  }, 20_000);
});
