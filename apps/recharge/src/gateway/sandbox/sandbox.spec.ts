import { ManualClock } from '@credence/kernel';
import { SandboxGateway } from './sandbox-gateway.js';
import type { SandboxProvider } from './sandbox-provider.js';
import { sign, verify } from './signature.js';

const SECRET = 'a-secret-of-sixteen+';
const NOW = Date.UTC(2026, 10, 21, 8);

describe('sandbox callback signatures', () => {
  const body = '{"type":"charge.updated","idempotencyKey":"pur_1:1","status":"succeeded"}';

  it('verifies what it signed, and nothing else', () => {
    const header = sign(SECRET, body, NOW);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verify(SECRET, header, Buffer.from(body), NOW)).toBe(true);
    expect(verify(SECRET, header, Buffer.from(body.replace('succeeded', 'declined')), NOW)).toBe(false);
    expect(verify('another-secret-of-16', header, Buffer.from(body), NOW)).toBe(false);
    expect(verify(SECRET, undefined, Buffer.from(body), NOW)).toBe(false);
    expect(verify(SECRET, 't=x,v1=zz', Buffer.from(body), NOW)).toBe(false);
  });

  it('refuses a callback signed more than five minutes ago (a replay)', () => {
    expect(verify(SECRET, sign(SECRET, body, NOW - 301_000), Buffer.from(body), NOW)).toBe(false);
    expect(verify(SECRET, sign(SECRET, body, NOW - 299_000), Buffer.from(body), NOW)).toBe(true);
  });
});

describe('the sandbox gateway adapter', () => {
  const clock = new ManualClock(NOW);
  const provider = (answer: () => Promise<{ status: 'processing' | 'succeeded' | 'not_found'; declineCode: null }>) =>
    ({ charge: answer, status: answer }) as unknown as SandboxProvider;
  const request = { idempotencyKey: 'pur_1:1', paymentMethodId: 'pm', accountId: 'a', amountMinor: 100n, currency: 'EUR', offSession: true };

  it('answers no_answer when the provider takes longer than the timeout, or fails', async () => {
    const slow = new SandboxGateway(provider(() => new Promise((r) => setTimeout(() => r({ status: 'succeeded', declineCode: null }), 200))), clock, 20, SECRET);
    expect(await slow.charge(request)).toEqual({ kind: 'no_answer', detail: 'no answer within 20 ms' });
    const broken = new SandboxGateway(provider(() => Promise.reject(new Error('connection reset'))), clock, 1_000, SECRET);
    expect(await broken.status('pur_1:1')).toEqual({ kind: 'no_answer', detail: 'connection reset' });
  });

  it("maps the provider's answers and reads only callbacks it signed", async () => {
    const g = new SandboxGateway(provider(() => Promise.resolve({ status: 'not_found', declineCode: null })), clock, 1_000, SECRET);
    expect(await g.status('pur_1:1')).toEqual({ kind: 'not_found' });
    const body = JSON.stringify({ type: 'charge.updated', chargeId: 'ch', idempotencyKey: 'pur_1:1', status: 'declined', declineCode: 'card_declined' });
    expect(g.readCallback({ 'sandbox-signature': sign(SECRET, body, NOW) }, Buffer.from(body))).toEqual({ idempotencyKey: 'pur_1:1', answer: { kind: 'declined', code: 'card_declined' } });
    expect(g.readCallback({ 'sandbox-signature': sign('not-the-secret-1234', body, NOW) }, Buffer.from(body))).toBeUndefined();
  });
});
