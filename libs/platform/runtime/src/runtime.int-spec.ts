import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from '@nats-io/transport-node';
import { IsInt, Min } from 'class-validator';
import { testNatsUrl, uniqueName } from '@credence/testing';
import { httpJson, loadEnvConfig, Loop, natsJson } from './index.js';

const options = { timeoutMs: 300, attempts: 3, retryDelayMs: 10, apiKey: 'cred_k_secret' };

let server: Server;
let url = '';
let calls = 0;
let seen: { authorization?: string | undefined; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      calls++;
      seen.push({ authorization: req.headers.authorization, body });
      if (req.url === '/flaky' && calls < 3) return void res.writeHead(503).end();
      if (req.url === '/slow') return void setTimeout(() => res.writeHead(200).end('{}'), 1_000);
      if (req.url === '/missing') return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  calls = 0;
  seen = [];
});

describe('httpJson', () => {
  it('retries 5xx until an answer, sending the key and the JSON body each time', async () => {
    const r = await httpJson(options, 'POST', `${url}/flaky`, { a: 1 });
    expect(r).toEqual({ kind: 'http', status: 200, body: { ok: true } });
    expect(seen).toEqual(Array(3).fill({ authorization: 'Bearer cred_k_secret', body: '{"a":1}' }));
  });

  it('returns a 4xx as an answer, without retrying', async () => {
    expect(await httpJson(options, 'GET', `${url}/missing`)).toEqual({ kind: 'http', status: 404, body: { error: 'not_found' } });
    expect(calls).toBe(1);
  });

  it('gives up after the attempts when every one times out', async () => {
    const r = await httpJson({ ...options, attempts: 2 }, 'GET', `${url}/slow`);
    expect(r).toMatchObject({ kind: 'unavailable', status: 'unavailable' });
  });
});

describe('natsJson', () => {
  it('answers unavailable when nobody serves the subject, and the reply when someone does', async () => {
    const nc = await connect({ servers: [testNatsUrl()] });
    const subject = uniqueName('runtime').replace(/_/g, '.');
    try {
      expect(await natsJson({ ...options, attempts: 2 }, nc, subject, {})).toMatchObject({ kind: 'unavailable' });
      const sub = nc.subscribe(subject, { callback: (_e, m) => void m.respond(JSON.stringify({ echo: m.json<unknown>() })) });
      expect(await natsJson(options, nc, subject, { x: 'y' })).toEqual({ kind: 'reply', body: { echo: { x: 'y' } } });
      sub.unsubscribe();
    } finally {
      await nc.close();
    }
  });
});

describe('Loop', () => {
  it('runs passes at once while they find work, pauses when idle, survives a failing pass and stops', async () => {
    const results = [2, 1, new Error('boom'), 0, 5];
    const errors: string[] = [];
    let passes = 0;
    const loop = new Loop(
      () => {
        const r = results[passes++] ?? 0;
        return r instanceof Error ? Promise.reject(r) : Promise.resolve(r);
      },
      { name: 'test', idleMs: 5, errorMs: 5, onError: (name, e) => errors.push(`${name}: ${(e as Error).message}`) },
    );
    loop.start();
    while (passes < results.length) await new Promise((r) => setTimeout(r, 5));
    await loop.stop();
    expect(errors).toEqual(['test: boom']);
  });
});

class Settings {
  @IsInt() @Min(1) PORT!: number;
}

describe('loadEnvConfig', () => {
  it('reads numbers where the default is one, and names the variable that breaks a rule', () => {
    expect(loadEnvConfig('demo', Settings, { PORT: '3000' }, {})).toEqual(Object.assign(new Settings(), { PORT: 3000 }));
    expect(loadEnvConfig('demo', Settings, { PORT: '3000' }, { PORT: '81' }).PORT).toBe(81);
    expect(() => loadEnvConfig('demo', Settings, { PORT: '3000' }, { PORT: '0' })).toThrow(/invalid demo configuration: PORT/);
  });
});
