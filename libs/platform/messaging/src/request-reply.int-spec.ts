import type { NatsConnection } from '@nats-io/nats-core';
import { request, serveRequests, type RequestServer } from './request-reply.js';
import { openTestNats, sleep, text, uniqueToken, utf8 } from './test-support.js';

describe('serveRequests / request', () => {
  const prefix = uniqueToken('msgrpc').toLowerCase();
  let nc: NatsConnection;
  const servers: RequestServer[] = [];

  beforeAll(async () => {
    ({ nc } = await openTestNats('request-reply-int-spec'));
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  afterAll(async () => {
    await nc?.close();
  });

  function serve(name: string, handler: (data: Uint8Array, headers: Readonly<Record<string, string>>) => Promise<Uint8Array>, maxConcurrent = 8) {
    const subject = `${prefix}.${name}`;
    const errors: unknown[] = [];
    servers.push(serveRequests(nc, subject, { queue: 'workers', maxConcurrent, handler: (r) => handler(r.data, r.headers), onError: (e) => errors.push(e) }));
    return { subject, errors };
  }

  it('given a server in the queue group, when requested, then the reply carries the handler bytes', async () => {
    const { subject } = serve('echo', (data, headers) => Promise.resolve(utf8(`${text(data)}/${headers['X-Tenant']}`)));
    await nc.flush();

    const reply = await request(nc, subject, utf8('hello'), { timeoutMs: 2_000, headers: { 'X-Tenant': 't1' } });

    expect(reply.ok && text(reply.value.data)).toBe('hello/t1');
  });

  it('given a handler slower than the timeout, when requested, then the result is a timeout value', async () => {
    const { subject } = serve('slow', async (data) => {
      await sleep(500);
      return data;
    });
    await nc.flush();

    const reply = await request(nc, subject, utf8('x'), { timeoutMs: 100 });

    expect(reply).toMatchObject({ ok: false, code: 'timeout' });
  });

  it('given nobody serves the subject, when requested, then the result is no-responders', async () => {
    const reply = await request(nc, `${prefix}.nobody`, utf8('x'), { timeoutMs: 1_000 });

    expect(reply).toMatchObject({ ok: false, code: 'no-responders' });
  });

  it('given a handler that throws, then the requester gets a service error and the error is reported', async () => {
    const { subject, errors } = serve('failing', () => Promise.reject(new Error('ledger unavailable')));
    await nc.flush();

    const reply = await request(nc, subject, utf8('x'), { timeoutMs: 2_000 });

    expect(reply).toEqual({ ok: false, code: 'service-error', detail: '500: ledger unavailable' });
    expect(errors).toHaveLength(1);
  });

  it('given maxConcurrent 2, when 10 requests arrive together, then at most 2 run at once and all are answered', async () => {
    let active = 0;
    let peak = 0;
    const { subject } = serve(
      'bounded',
      async (data) => {
        active++;
        peak = Math.max(peak, active);
        await sleep(30);
        active--;
        return data;
      },
      2,
    );
    await nc.flush();

    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => request(nc, subject, utf8(String(i)), { timeoutMs: 5_000 })));

    expect(replies.map((r) => r.ok && text(r.value.data))).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
    expect(peak).toBe(2);
  });
});
