import type { PlaceHoldReply } from '@credence/contracts';
import { waitFor } from '@credence/testing';
import { LedgerDeployment, type LedgerProcess } from '../testing/ledger-process.js';

let d: LedgerDeployment;
let ledger: LedgerProcess;

beforeAll(async () => {
  d = await LedgerDeployment.create('holds');
  ledger = await d.start({ SWEEP_INTERVAL_MS: '200' });
});

afterAll(async () => {
  await d?.close();
});

type Credits = { balance: { total: string; available: string; held: string } };
const balance = async (accountId: string) => (await ledger.get<Credits>(`/api/billing/credits?accountId=${accountId}`)).body.balance;
const grant = async (accountId: string, amount: string) => {
  const reply = await ledger.post('/api/ledger/grants', { key: `grant-${accountId}`, accountId, source: 'purchase', amount });
  expect(reply.status).toBe(200);
};
const holdRow = async (accountId: string, holdId: string) =>
  (await d.query<{ status: string }>('select status from holds where account_id = $1 and hold_id = $2', [accountId, holdId]))[0]?.status;

describe('holds over NATS request/reply', () => {
  it('approves with the hold id and what is left, and refuses INSUFFICIENT_CREDITS when short', async () => {
    await grant('h-basic', '100');

    const approved = await d.requestHold({ key: 'gen-1', accountId: 'h-basic', amount: '60', ttlMs: 60_000, resource: { projectId: 'p1' } });
    expect(approved).toMatchObject({ status: 'approved', holdId: 'gen-1', amount: '60', available: '40' });
    const refused = await d.requestHold({ key: 'gen-2', accountId: 'h-basic', amount: '41', ttlMs: 60_000 });
    expect(refused).toEqual({ status: 'refused', reason: 'INSUFFICIENT_CREDITS', available: null });
    // The same request again is the same hold, not a second one
    const again = await d.requestHold({ key: 'gen-1', accountId: 'h-basic', amount: '60', ttlMs: 60_000, resource: { projectId: 'p1' } });
    expect(again).toMatchObject({ status: 'approved', holdId: 'gen-1', amount: '60' });
    const invalid = await d.requestHold({ key: 'gen-3', accountId: 'h-basic', amount: '1', ttlMs: 10 });
    expect(invalid).toMatchObject({ status: 'invalid', issues: [expect.objectContaining({ field: 'ttlMs' })] });

    expect(await balance('h-basic')).toMatchObject({ total: '100', held: '60', available: '40' });
  });

  it('answers 200 concurrent requests for 100 credits: exactly 100 approved, never over-reserved', async () => {
    // Given 100 credits
    await grant('h-many', '100');

    // When 200 workloads ask for 1 credit each at once
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => d.requestHold({ key: `gen-${i}`, accountId: 'h-many', amount: '1', ttlMs: 60_000 })),
    );

    // Then every one is answered: 100 approved, 100 refused
    const count = (status: PlaceHoldReply['status']) => replies.filter((r) => r.status === status).length;
    expect({ approved: count('approved'), refused: count('refused'), invalid: count('invalid') }).toEqual({ approved: 100, refused: 100, invalid: 0 });
    expect(replies.filter((r) => r.status === 'refused').every((r) => r.status === 'refused' && r.reason === 'INSUFFICIENT_CREDITS')).toBe(true);
    // And what was reserved is exactly what exists, in the API and in the tables
    expect(await balance('h-many')).toMatchObject({ total: '100', held: '100', available: '0' });
    const [open] = await d.query<{ n: bigint; sum: bigint }>(`select count(*) as n, sum(amount)::int8 as sum from holds where account_id = 'h-many' and status = 'open'`);
    expect(open).toEqual({ n: 100n, sum: 100n });
    const approvedIds = replies.flatMap((r) => (r.status === 'approved' ? [r.holdId] : []));
    expect(new Set(approvedIds).size).toBe(100);
  });

  it('expires a hold left alone after its ttl and gives its credits back', async () => {
    await grant('h-exp', '50');
    const placed = await d.requestHold({ key: 'gen-exp', accountId: 'h-exp', amount: '30', ttlMs: 1_000 });
    expect(placed).toMatchObject({ status: 'approved', available: '20' });

    const startedAt = Date.now();
    await waitFor(async () => (await holdRow('h-exp', 'gen-exp')) === 'expired', { what: 'the hold to expire', timeoutMs: 5_000 });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(700);

    expect(await balance('h-exp')).toMatchObject({ total: '50', held: '0', available: '50' });
    const events = await d.query<{ type: string; amount: string }>(`select type, data->>'amount' as amount from events where account_id = 'h-exp' order by seq`);
    expect(events).toEqual([
      { type: 'GrantIssued', amount: '50' },
      { type: 'HoldPlaced', amount: '30' },
      { type: 'HoldExpired', amount: '30' },
    ]);
    // A capture that comes after the hold expired is charged as post-paid usage (the work happened), once
    const late = await ledger.post('/api/ledger/captures', { key: 'cap-late', accountId: 'h-exp', holdId: 'gen-exp', amount: '30' });
    expect(late.status).toBe(200);
    expect(await balance('h-exp')).toMatchObject({ total: '20', held: '0' });
    const twice = await ledger.post('/api/ledger/captures', { key: 'cap-late-2', accountId: 'h-exp', holdId: 'gen-exp', amount: '30' });
    expect(twice.status).toBe(422);
    expect(twice.body).toMatchObject({ reason: 'HOLD_ALREADY_RESOLVED' });
  });

  it('captures part of a hold through the JetStream subject and releases another over HTTP', async () => {
    await grant('h-cap', '100');
    expect(await d.requestHold({ key: 'gen-a', accountId: 'h-cap', amount: '40', ttlMs: 60_000 })).toMatchObject({ status: 'approved' });
    expect(await d.requestHold({ key: 'gen-b', accountId: 'h-cap', amount: '30', ttlMs: 60_000 })).toMatchObject({ status: 'approved', available: '30' });

    // When the first generation reports a real cost of 25 on the command stream
    await d.publish('CaptureHold', { key: 'cap-a', accountId: 'h-cap', holdId: 'gen-a', amount: '25' });
    await d.waitUntilConsumed();
    // Then 25 are charged, 15 released, the second hold still reserved
    expect(await holdRow('h-cap', 'gen-a')).toBe('captured');
    expect(await balance('h-cap')).toMatchObject({ total: '75', held: '30', available: '45' });

    // When the second is released over HTTP
    const released = await ledger.post('/api/ledger/releases', { key: 'rel-b', accountId: 'h-cap', holdId: 'gen-b' });
    expect(released.status).toBe(200);
    expect(await holdRow('h-cap', 'gen-b')).toBe('released');
    expect(await balance('h-cap')).toMatchObject({ total: '75', held: '0', available: '75' });

    // And neither can be resolved a second time
    const twice = await ledger.post('/api/ledger/captures', { key: 'cap-b', accountId: 'h-cap', holdId: 'gen-b', amount: '1' });
    expect(twice.status).toBe(422);
    expect(twice.body).toMatchObject({ reason: 'HOLD_ALREADY_RESOLVED' });
    const captured = await d.query<{ type: string; amount: string; released: string | null }>(
      `select type, data->>'amount' as amount, data->>'released' as released from events where account_id = 'h-cap' and type like 'Hold%' order by seq`,
    );
    expect(captured).toEqual([
      { type: 'HoldPlaced', amount: '40', released: null },
      { type: 'HoldPlaced', amount: '30', released: null },
      { type: 'HoldCaptured', amount: '25', released: '15' },
      { type: 'HoldReleased', amount: '30', released: null },
    ]);
  });
});
