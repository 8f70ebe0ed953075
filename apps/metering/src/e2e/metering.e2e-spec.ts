import { waitFor } from '@credence/testing';
import { MeteringStack } from '../testing/metering-process.js';

let s: MeteringStack;

const version = (versionId: string, fairUse: Record<string, unknown>, allowed: 'all' | string[] = 'all') => ({
  versionId,
  effectiveAt: '2025-01-01T00:00:00Z',
  prices: { EUR: '1000' },
  allocationCredits: '1000',
  rollover: 'none',
  fairUse,
  features: allowed,
  models: allowed,
  packs: 'all',
  rateCardId: 'mrc',
});

const rateCardV1 = { versionId: 'mrc-v1', effectiveAt: '2025-01-01T00:00:00Z', units: [{ unit: 'image', credits: '100' }], features: [] };

/** A small catalog: images cost 100 credits; one plan per limit under test. */
const catalog = (extraVersions: unknown[] = []) => ({
  id: 'meterco',
  name: 'Metering test',
  creditUnit: 'one credit',
  currencies: [{ code: 'EUR', minorDigits: 2 }],
  notes: [],
  plans: [
    { id: 'open', name: 'Open', versions: [version('open-1', {})] },
    { id: 'daily', name: 'Daily', versions: [version('daily-1', { generationsPerDay: 2 })] },
    { id: 'monthly', name: 'Monthly', versions: [version('monthly-1', { creditsPerMonth: '500' })] },
    { id: 'conc', name: 'Concurrency', versions: [version('conc-1', { concurrentGenerations: 1 })] },
    { id: 'narrow', name: 'Narrow', versions: [version('narrow-1', {}, [])] },
  ],
  packs: [{ id: 'p20', name: 'P20', versions: [{ versionId: 'p20-1', effectiveAt: '2025-01-01T00:00:00Z', credits: '20', prices: { EUR: '1500' } }] }],
  rateCards: [{ id: 'mrc', name: 'Metering rates', versions: [rateCardV1, ...extraVersions] }],
});

const images = (count: number) => ({ kind: 'units', unit: 'image', count: String(count) });

type Approved = { status: string; holdId: string; credits: string; expiresAt: string; priceVersion: string };
type Refused = { status: string; reason: string };

const subscribe = async (accountId: string, planId: string) =>
  expect((await s.call('PUT', `/v1/accounts/${accountId}/subscription`, { catalogId: 'meterco', planId })).status).toBe(200);
const authorize = (accountId: string, key: string, count = 1) => s.call<Approved & Refused>('POST', '/v1/authorizations', { key, accountId, estimate: images(count) });
const settle = (holdId: string, body: unknown) => s.call<{ status: string; credits: string; captured: string; excess: string }>('POST', `/v1/authorizations/${encodeURIComponent(holdId)}/settle`, body);
const reason = async (accountId: string, key: string, count = 1) => {
  const r = await authorize(accountId, key, count);
  return r.status === 200 ? 'approved' : r.body.reason;
};

beforeAll(async () => {
  s = await MeteringStack.create('metering');
  const loaded = await s.catalog.call('POST', '/api/catalog/catalogs', catalog());
  expect(loaded.status).toBe(201);
}, 90_000);

afterAll(async () => {
  await s?.close();
});

describe('metering: authorize', () => {
  it('given too few credits, refuses insufficient_credits and charges nothing', async () => {
    await subscribe('poor', 'open');
    await s.grant('poor', 'g1', '50');
    const r = await authorize('poor', 'a1');
    expect(r).toMatchObject({ status: 422, body: { status: 'refused', reason: 'insufficient_credits' } });
    expect(await s.balance('poor')).toMatchObject({ total: '50', available: '50', held: '0' });
  });

  it('approves with a hold of the estimate priced by the plan, over HTTP and NATS', async () => {
    await subscribe('rich', 'open');
    await s.grant('rich', 'g1', '10000');
    const r = await authorize('rich', 'a1', 3);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'approved', holdId: 'rich:a1', credits: '300', priceVersion: 'mrc-v1' });
    const viaNats = await s.requestAuthorize<Approved>({ key: 'a2', accountId: 'rich', estimate: images(1) });
    expect(viaNats).toMatchObject({ status: 'approved', holdId: 'rich:a2', credits: '100' });
    expect(await s.balance('rich')).toMatchObject({ total: '10000', held: '400', available: '9600' });
  });

  it('lets two accounts use the same key for their own holds', async () => {
    await subscribe('tenant-a', 'open');
    await subscribe('tenant-b', 'open');
    await s.grant('tenant-a', 'g1', '1000');
    await s.grant('tenant-b', 'g1', '1000');
    const a = await authorize('tenant-a', 'gen-1');
    const b = await authorize('tenant-b', 'gen-1');
    expect([a.body, b.body]).toMatchObject([{ status: 'approved', holdId: 'tenant-a:gen-1' }, { status: 'approved', holdId: 'tenant-b:gen-1' }]);
    expect((await settle('tenant-b:gen-1', { outcome: 'succeeded', usage: images(1) })).body).toMatchObject({ credits: '100' });
    expect(await s.balance('tenant-a')).toMatchObject({ total: '1000', held: '100' });
    expect(await s.balance('tenant-b')).toMatchObject({ total: '900', held: '0' });
  });

  it('the same key twice is applied once and answers the first result', async () => {
    await subscribe('twice', 'open');
    await s.grant('twice', 'g1', '1000');
    const [a, b] = await Promise.all([authorize('twice', 'k1'), authorize('twice', 'k1')]);
    expect(b.body).toEqual(a.body);
    expect((await s.requestAuthorize<Approved>({ key: 'k1', accountId: 'twice', estimate: images(1) })).holdId).toBe('twice:k1');
    expect(await s.balance('twice')).toMatchObject({ held: '100' });
    const first = await settle('twice:k1', { outcome: 'succeeded', usage: images(1) });
    const again = await settle('twice:k1', { outcome: 'succeeded', usage: images(1) });
    expect(again.body).toEqual(first.body);
    const u1 = await s.call('POST', '/v1/usage', { key: 'u1', accountId: 'twice', usage: images(2) });
    const u2 = await s.call('POST', '/v1/usage', { key: 'u1', accountId: 'twice', usage: images(2) });
    expect(u2.body).toEqual(u1.body);
    expect(await s.balance('twice')).toMatchObject({ total: '700', held: '0' });
  });

  it('refuses daily_limit_reached at the plan cap; an override lifts it until its date', async () => {
    await subscribe('day', 'daily');
    await s.grant('day', 'g1', '10000');
    for (const key of ['d1', 'd2']) {
      const r = await authorize('day', key);
      expect(r.status).toBe(200);
      await settle(r.body.holdId, { outcome: 'failed' });
    }
    expect(await reason('day', 'd3')).toBe('daily_limit_reached');
    const until = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    expect((await s.call('PUT', '/v1/accounts/day/limit-overrides', { until, generationsPerDay: 5 })).status).toBe(200);
    expect(await reason('day', 'd4')).toBe('approved');
    // An override whose date has passed is the plan again.
    await s.call('PUT', '/v1/accounts/day/limit-overrides', { until: '2025-01-01T00:00:00Z', generationsPerDay: 5 });
    expect(await reason('day', 'd5')).toBe('daily_limit_reached');
    expect(await s.balance('day')).toMatchObject({ total: '10000', held: '100' });
  });

  it('refuses monthly_cap_reached when settled credits this month plus the estimate pass the cap', async () => {
    await subscribe('month', 'monthly');
    await s.grant('month', 'g1', '10000');
    const r = await authorize('month', 'm1', 3);
    await settle(r.body.holdId, { outcome: 'succeeded', usage: images(3) });
    expect(await reason('month', 'm2', 3)).toBe('monthly_cap_reached');
    expect(await reason('month', 'm3', 2)).toBe('approved');
  });

  it('counts credits reserved by open holds against the monthly cap', async () => {
    await subscribe('month-open', 'monthly');
    await s.grant('month-open', 'g1', '10000');
    // 500 a month; holds of 200 + 200 leave room for 100, not for another 200
    expect(await reason('month-open', 'o1', 2)).toBe('approved');
    expect(await reason('month-open', 'o2', 2)).toBe('approved');
    expect(await reason('month-open', 'o3', 2)).toBe('monthly_cap_reached');
    expect(await reason('month-open', 'o4', 1)).toBe('approved');
  });

  it('refuses concurrency_limit_reached while the cap of holds is open; settling frees a slot', async () => {
    await subscribe('conc', 'conc');
    await s.grant('conc', 'g1', '10000');
    const first = await authorize('conc', 'c1');
    expect(await reason('conc', 'c2')).toBe('concurrency_limit_reached');
    await settle(first.body.holdId, { outcome: 'failed' });
    expect(await reason('conc', 'c3')).toBe('approved');
  });

  it('publishes on stream METERING one LimitReached per account, limit and period, and every subscription set', async () => {
    // After the daily, monthly and concurrency tests above: 'day' was refused twice today, 'month' once.
    type Ev = { id: string; type: string; accountId: string; limit?: string; period?: string; value?: string; planId?: string };
    const today = new Date().toISOString().slice(0, 10);
    const events = await waitFor(
      async () => {
        const all = await s.meteringEvents<Ev>();
        const reachedBy = new Set(all.filter((e) => e.type === 'LimitReached').map((e) => e.accountId));
        return ['day', 'month', 'month-open'].every((a) => reachedBy.has(a)) ? all : undefined;
      },
      { timeoutMs: 10_000 },
    );
    const reached = events.filter((e) => e.type === 'LimitReached' && ['day', 'month', 'month-open'].includes(e.accountId));
    expect(reached.map((e) => [e.accountId, e.limit, e.period, e.value]).sort()).toEqual([
      ['day', 'daily_generations', today, '2'],
      ['month', 'monthly_credits', today.slice(0, 7), '500'],
      ['month-open', 'monthly_credits', today.slice(0, 7), '500'],
    ]);
    expect(events.filter((e) => e.type === 'SubscriptionSet' && e.accountId === 'day').map((e) => e.planId)).toEqual(['daily']);
    // Concurrency refusals are not announced.
    expect(events.some((e) => e.type === 'LimitReached' && e.accountId === 'conc')).toBe(false);
  });

  it("gives a subscribed account its plan's allocation as the ledger's monthly allowance, and refuses a plan the catalog lacks", async () => {
    const r = await s.call('PUT', '/v1/accounts/alloc/subscription', { catalogId: 'meterco', planId: 'open' });
    expect(r).toMatchObject({ status: 200, body: { accountId: 'alloc', planId: 'open', allocationCredits: '1000' } });
    const settings = await s.ledgerProcess.get<{ transactions: { event: string }[] }>('/api/billing/credits?accountId=alloc&type=settings');
    expect(settings.body.transactions.map((t) => t.event)).toEqual(['AllowanceSet']);
    const unknown = await s.call<{ issues: { field: string; rule: string }[] }>('PUT', '/v1/accounts/alloc/subscription', { catalogId: 'meterco', planId: 'nope' });
    expect(unknown).toMatchObject({ status: 400, body: { issues: [{ field: 'planId', rule: 'knownPlan' }] } });
    expect(await s.call('GET', '/v1/accounts/alloc/subscription')).toMatchObject({ status: 200, body: { planId: 'open' } });
  });

  it('refuses plan_not_allowed outside the plan and without a subscription', async () => {
    await subscribe('narrow', 'narrow');
    await s.grant('narrow', 'g1', '10000');
    expect(await reason('narrow', 'n1')).toBe('plan_not_allowed');
    expect(await reason('nobody', 'n1')).toBe('plan_not_allowed');
    expect(await s.balance('narrow')).toMatchObject({ total: '10000', held: '0' });
  });

  it('answers 400 with the issues for an invalid body', async () => {
    const r = await s.call<{ issues: { field: string; rule: string }[] }>('POST', '/v1/authorizations', { key: 'x#1', accountId: 'a', estimate: { kind: 'minutes' }, extra: 1 });
    expect(r.status).toBe(400);
    expect(r.body.issues.map((i) => `${i.field}:${i.rule}`)).toEqual(expect.arrayContaining(['key:matches', 'extra:unknownField', 'estimate.kind:isIn']));
  });
});

describe('metering: settle', () => {
  it('a failed generation releases the hold and charges nothing', async () => {
    await subscribe('fail', 'open');
    await s.grant('fail', 'g1', '1000');
    const r = await authorize('fail', 'f1', 3);
    const settled = await settle(r.body.holdId, { outcome: 'failed' });
    expect(settled.body).toMatchObject({ status: 'settled', credits: '0' });
    expect(await s.balance('fail')).toMatchObject({ total: '1000', available: '1000', held: '0' });
  });

  it('charges real usage below the estimate and releases the rest; above it, captures the hold and records the excess', async () => {
    await subscribe('real', 'open');
    await s.grant('real', 'g1', '1000');
    const below = await authorize('real', 'r1', 3);
    expect((await settle(below.body.holdId, { outcome: 'succeeded', usage: images(1) })).body).toMatchObject({ credits: '100', captured: '100', excess: '0' });
    expect(await s.balance('real')).toMatchObject({ total: '900', held: '0' });
    const above = await authorize('real', 'r2', 2);
    expect((await settle(above.body.holdId, { outcome: 'succeeded', usage: images(5) })).body).toMatchObject({ credits: '500', captured: '200', excess: '300' });
    expect(await s.balance('real')).toMatchObject({ total: '400', held: '0' });
    expect((await settle('no-such-hold', { outcome: 'failed' })).status).toBe(404);
    expect((await settle(above.body.holdId, { outcome: 'succeeded' })).status).toBe(400);
  });
});

describe('metering: post-paid usage', () => {
  it('records usage into debt; authorizations are refused until a grant pays the debt first', async () => {
    await subscribe('debt', 'open');
    await s.grant('debt', 'g1', '100');
    const u = await s.call('POST', '/v1/usage', { key: 'u1', accountId: 'debt', usage: images(3) });
    expect(u).toMatchObject({ status: 200, body: { status: 'recorded', credits: '300', priceVersion: 'mrc-v1' } });
    expect(await s.balance('debt')).toMatchObject({ total: '-200', debt: '200' });
    expect(await reason('debt', 'debt-a1')).toBe('insufficient_credits');
    await s.grant('debt', 'g2', '1000');
    expect(await s.balance('debt')).toMatchObject({ total: '800', debt: '0' });
    expect(await reason('debt', 'debt-a2')).toBe('approved');
  });

  it('answers a batch with one result per event; an invalid one does not hold back the valid ones', async () => {
    await subscribe('batch', 'open');
    const r = await s.call<{ results: { status: string }[] }>('POST', '/v1/usage', {
      events: [
        { key: 'b1', accountId: 'batch', usage: images(1) },
        { key: 'b2', accountId: 'batch', usage: images(1), extra: true },
        { key: 'b3', accountId: 'batch', usage: images(2) },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.results.map((x) => x.status)).toEqual(['recorded', 'invalid', 'recorded']);
    expect(await s.balance('batch')).toMatchObject({ debt: '300' });
  });

  it('consumes metering.v1.usage.record: valid events are forwarded, invalid ones kept in rejects and terminated', async () => {
    await subscribe('stream', 'open');
    await s.publishUsage({ key: 'j1', accountId: 'stream', usage: images(1) });
    await s.publishUsage(Buffer.from('not json'));
    await s.publishUsage({ key: 'j2', accountId: 'stream', usage: images(1), occurredAt: 'yesterday' });
    await s.publishUsage({ key: 'j3', accountId: 'stream', usage: images(2) });
    await waitFor(async () => (await s.balance('stream')).debt === '300', { what: 'the stream events to reach the ledger', timeoutMs: 20_000, intervalMs: 100 });
    await waitFor(async () => (await s.query('select reason from rejects')).length >= 2, { what: 'two rejects', timeoutMs: 10_000, intervalMs: 100 });
    // The order the two land in is not the publish order (a batch records them together): compare as a set.
    const rejects = await s.query<{ reason: string; detail: string }>('select reason, detail from rejects order by detail');
    expect(rejects.map((x) => x.reason)).toEqual(['invalid', 'invalid']);
    expect(rejects.map((x) => x.detail)).toEqual([expect.stringMatching(/not JSON/), expect.stringMatching(/occurredAt/)]);
  });

  it('refunds a charge through the ledger, never more than was charged', async () => {
    await subscribe('refund', 'open');
    await s.grant('refund', 'g1', '1000');
    await s.call('POST', '/v1/usage', { key: 'u1', accountId: 'refund', usage: images(3) });
    const r = await s.call('POST', '/v1/refunds', { key: 'rf1', accountId: 'refund', chargeId: 'u1', amount: '100' });
    expect(r).toMatchObject({ status: 200, body: { status: 'refunded' } });
    expect(await s.balance('refund')).toMatchObject({ total: '800' });
    const over = await s.call('POST', '/v1/refunds', { key: 'rf2', accountId: 'refund', chargeId: 'u1', amount: '1000' });
    expect(over).toMatchObject({ status: 422, body: { reason: 'REFUND_EXCEEDS_CHARGE' } });
  });
});

describe('metering: a price change', () => {
  it('prices usage that occurred before the change with the old version, and later usage with the new one', async () => {
    const before = new Date(Date.now() - 1_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const effective = new Date(Math.ceil((Date.now() + 3_000) / 1_000) * 1_000);
    const v2 = { versionId: 'mrc-v2', effectiveAt: effective.toISOString().replace(/\.\d+Z$/, 'Z'), units: [{ unit: 'image', credits: '200' }], features: [] };
    expect((await s.catalog.call('POST', '/api/catalog/catalogs', catalog([v2]))).status).toBe(201);
    await subscribe('price', 'open');
    await s.grant('price', 'g1', '10000');
    // Authorized under v1: settled after the change, still v1.
    const held = await authorize('price', 'p1', 1);
    expect(held.body.priceVersion).toBe('mrc-v1');
    await waitFor(() => Promise.resolve(Date.now() > effective.getTime() + 200), { what: 'the new price to be in force', timeoutMs: 10_000, intervalMs: 100 });
    const old = await s.call('POST', '/v1/usage', { key: 'u-old', accountId: 'price', usage: images(1), occurredAt: before });
    expect(old.body).toMatchObject({ credits: '100', priceVersion: 'mrc-v1' });
    const now = await s.call('POST', '/v1/usage', { key: 'u-new', accountId: 'price', usage: images(1) });
    expect(now.body).toMatchObject({ credits: '200', priceVersion: 'mrc-v2' });
    expect((await settle(held.body.holdId, { outcome: 'succeeded', usage: images(1) })).body).toMatchObject({ credits: '100' });
    expect(await s.balance('price')).toMatchObject({ total: String(10000 - 100 - 200 - 100), held: '0' });
  });
});
