import { createHmac, timingSafeEqual } from 'node:crypto';
import { signature, signatureHeader, verifySignature } from './signature.js';

/** The receiver's snippet of docs/api/notifier-http.md (with types): it must accept what the notifier signs. */
function verifyCredenceSignature(header: string | undefined, rawBody: string, secret: string, toleranceSec = 300): boolean {
  if (!header) return false;
  const parts: Record<string, string | undefined> = Object.fromEntries(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSec) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(parts.v1 ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('webhook signatures', () => {
  const secret = 'whsec_test-secret';
  const body = '{"id":"ntf_1","kind":"balance_low","accountId":"a","occurredAt":"2026-11-21T08:00:00.000Z","data":{}}';

  it('given a secret, a time and a body, then v1 is HMAC-SHA256 over "<t>.<body>" in hex', () => {
    const t = 1_795_000_000;
    expect(signature(secret, t, body)).toBe(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
    expect(signatureHeader(secret, t, body)).toBe(`t=${t},v1=${signature(secret, t, body)}`);
  });

  it('given what the notifier signs now, then the documented snippet and verifySignature accept it', () => {
    const now = Math.floor(Date.now() / 1000);
    const header = signatureHeader(secret, now, body);
    expect(verifyCredenceSignature(header, body, secret)).toBe(true);
    expect(verifySignature({ header, body, secret, nowSec: now })).toBe(true);
  });

  it('given a changed body, another secret, an old timestamp or no header, then both refuse', () => {
    const now = Math.floor(Date.now() / 1000);
    const header = signatureHeader(secret, now, body);
    for (const [h, b, s] of [
      [header, `${body} `, secret],
      [header, body, 'whsec_other'],
      [signatureHeader(secret, now - 301, body), body, secret],
      [undefined, body, secret],
      ['t=abc,v1=00', body, secret],
    ] as const) {
      expect(verifyCredenceSignature(h, b, s)).toBe(false);
      expect(verifySignature({ header: h, body: b, secret: s, nowSec: now })).toBe(false);
    }
  });

  it('given two v1 entries during a secret rotation, then either secret verifies', () => {
    const now = 1_795_000_000;
    const header = `t=${now},v1=${signature('old', now, body)},v1=${signature('new', now, body)}`;
    expect(verifySignature({ header, body, secret: 'new', nowSec: now })).toBe(true);
    expect(verifySignature({ header, body, secret: 'old', nowSec: now })).toBe(true);
  });
});
