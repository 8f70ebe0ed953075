import { waitFor } from '@credence/testing';
import { CARDS, RechargeStack, type Purchase } from '../testing/recharge-process.js';

let s: RechargeStack;

beforeAll(async () => {
  s = await RechargeStack.create('recharge');
  await s.loadSeedCatalog('token-packs');
}, 120_000);

afterAll(async () => {
  await s?.close();
});

type Settings = { enabled: boolean; monthlyLimitMinor: string; currency: string; consecutiveFailures: number; disabledReason: string | null; ledgerThreshold: string };

/** A WAzion free-tier account with promo credits, a saved card and auto-recharge of the 1M pack below 1M credits. */
async function autoRechargeAccount(accountId: string, card: string, extra: Record<string, unknown> = {}): Promise<Settings> {
  await s.subscribe(accountId, 'wazion', 'free');
  await s.fund(accountId, 'promo-1', '2000000');
  await s.saveCard(accountId, card);
  const r = await s.call<Settings>('PUT', '/api/billing/auto-recharge', { accountId, enabled: true, packId: '1m', threshold: '1000000', ...extra });
  expect(r.status).toBe(200);
  await s.thresholdConfigured(accountId);
  return r.body;
}

const types = (events: { type: string; attempt: number }[]) => events.map((e) => `${e.type}#${e.attempt}`);

describe('manual purchases', () => {
  it("refuses a pack to the token-pack free plan (plan_cannot_purchase); WAzion's free tier buys it, granted once", async () => {
    await s.subscribe('tp-free', 'token-packs', 'free');
    await s.saveCard('tp-free', CARDS.succeeds);
    const refused = await s.call('POST', '/api/billing/purchases', { accountId: 'tp-free', packId: 'starter', key: 'buy-1' });
    expect(refused).toMatchObject({ status: 422, body: { status: 'refused', reason: 'plan_cannot_purchase' } });
    expect(await s.purchases('tp-free')).toEqual([]);

    await s.subscribe('wz-free', 'wazion', 'free');
    await s.saveCard('wz-free', CARDS.succeeds);
    const accepted = await s.call<Purchase & { repeat: boolean }>('POST', '/api/billing/purchases', { accountId: 'wz-free', packId: '1m', key: 'buy-1' });
    expect(accepted).toMatchObject({ status: 202, body: { trigger: 'manual', packId: '1m', credits: '1000000', amountMinor: '2900', currency: 'EUR', repeat: false } });
    const [done] = await s.settled('wz-free');
    expect(done).toMatchObject({ id: accepted.body.id, status: 'granted', attempts: 1 });
    expect(done?.history.map((h) => h.outcome)).toEqual(['requested', 'succeeded', 'granted']);

    // The same key again answers the same purchase; another pack under it is a conflict.
    const again = await s.call<Purchase & { repeat: boolean }>('POST', '/api/billing/purchases', { accountId: 'wz-free', packId: '1m', key: 'buy-1' });
    expect(again).toMatchObject({ status: 202, body: { id: accepted.body.id, status: 'granted', repeat: true } });
    expect((await s.call('POST', '/api/billing/purchases', { accountId: 'wz-free', packId: '5m', key: 'buy-1' })).status).toBe(409);
    expect(await s.purchaseGrants('wz-free')).toEqual([{ grantId: accepted.body.id, amount: '1000000' }]);
    expect(await s.metering.balance('wz-free')).toMatchObject({ total: '1000000' });
    await waitFor(async () => types(await s.rechargeEvents('wz-free')).join() === 'PurchaseRequested#1,PurchaseSucceeded#1', { what: 'the purchase events' });
  });

  it('refuses without a plan or a payment method, and validates the body', async () => {
    expect((await s.call('POST', '/api/billing/purchases', { accountId: 'nobody', packId: '1m', key: 'k' })).body).toMatchObject({ reason: 'no_subscription' });
    await s.subscribe('no-card', 'wazion', 'free');
    expect((await s.call('POST', '/api/billing/purchases', { accountId: 'no-card', packId: '1m', key: 'k' })).body).toMatchObject({ reason: 'no_payment_method' });
    expect((await s.call('POST', '/api/billing/purchases', { accountId: 'no-card', packId: 'nope', key: 'k' })).body).toMatchObject({ reason: 'unknown_pack' });
    const bad = await s.call<{ issues: { field: string }[] }>('POST', '/api/billing/purchases', { accountId: 'no-card', packId: '1m', key: 'a#b', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i) => i.field)).toEqual(expect.arrayContaining(['key', 'extra']));
    expect((await s.call('POST', '/api/billing/payment-methods', { accountId: 'no-card', cardNumber: '4111111111111111' })).body).toMatchObject({ reason: 'invalid_card' });
  });

  it('charges a card that times out once: the retry under the same key finds the charge', async () => {
    await s.subscribe('slow-card', 'wazion', 'free');
    await s.saveCard('slow-card', CARDS.timesOut);
    const r = await s.call<Purchase>('POST', '/api/billing/purchases', { accountId: 'slow-card', packId: '1m', key: 'buy-1' });
    // The answer waited GATEWAY_TIMEOUT_MS for the charge, meanwhile a poll may have confirmed it.
    expect(r).toMatchObject({ status: 202, body: { attempts: 1 } });
    const [done] = await s.settled('slow-card');
    expect(done?.status).toBe('granted');
    expect(await s.charges('slow-card')).toEqual([{ idempotency_key: `${r.body.id}:1`, status: 'succeeded' }]);
    expect(await s.purchaseGrants('slow-card')).toHaveLength(1);
  });

  it('keeps accounts apart: a key covering one account cannot read or buy for another', async () => {
    const key = await s.metering.call<{ key: string }>('POST', '/v1/admin/api-keys', { scope: { kind: 'accounts', accountIds: ['mine'] } });
    const mine = { key: key.body.key };
    expect((await s.call('GET', '/api/billing/purchases?accountId=wz-free', undefined, mine)).status).toBe(403);
    expect((await s.call('POST', '/api/billing/purchases', { accountId: 'wz-free', packId: '1m', key: 'x' }, mine)).status).toBe(403);
    const [theirs] = await s.purchases('wz-free');
    expect((await s.call('GET', `/api/billing/purchases/${theirs?.id}`, undefined, mine)).status).toBe(404);
    expect((await s.call('GET', '/api/billing/purchases?accountId=mine', undefined, mine)).body).toEqual({ purchases: [], nextCursor: null });
    expect((await s.call('GET', '/api/billing/purchases?accountId=mine', undefined, { key: undefined })).status).toBe(401);
  });
});

describe('auto-recharge', () => {
  it('given the balance crosses the threshold, then exactly one recharge and the balance restored', async () => {
    const settings = await autoRechargeAccount('ar-one', CARDS.succeeds);
    expect(settings).toMatchObject({ enabled: true, monthlyLimitMinor: '5000', currency: 'EUR' });
    await s.use('ar-one', 'use-1', '1500000');
    const [p] = await s.settled('ar-one');
    const [crossing] = await s.balanceLows('ar-one');
    expect(p).toMatchObject({ trigger: 'auto', status: 'granted', cause: crossing?.id, credits: '1000000', amountMinor: '2900' });
    expect(await s.metering.balance('ar-one')).toMatchObject({ available: '1500000' });
    expect(await s.purchaseGrants('ar-one')).toEqual([{ grantId: p?.id, amount: '1000000' }]);
    await waitFor(async () => types(await s.rechargeEvents('ar-one')).join() === 'PurchaseRequested#1,PurchaseSucceeded#1', { what: 'the recharge events' });
    const events = await s.rechargeEvents('ar-one');
    expect(events[1]).toMatchObject({ id: `${p?.id}#PurchaseSucceeded#1`, msgId: `${p?.id}#PurchaseSucceeded#1`, trigger: 'auto', cause: crossing?.id });
  });

  it("given this month's limit would be passed, then nothing is charged and the account is told", async () => {
    // One 29 EUR pack a month.
    await autoRechargeAccount('ar-limit', CARDS.succeeds, { monthlyLimitMinor: '2900' });
    await s.use('ar-limit', 'use-1', '1500000');
    await s.settled('ar-limit', 1);
    await s.use('ar-limit', 'use-2', '1000000');
    const [skipped] = await s.settled('ar-limit', 2);
    expect(skipped).toMatchObject({ status: 'skipped', reason: 'monthly_limit', attempts: 0 });
    expect(await s.charges('ar-limit')).toHaveLength(1);
    expect(await s.metering.balance('ar-limit')).toMatchObject({ available: '500000' });
    await waitFor(async () => (await s.rechargeEvents('ar-limit')).find((e) => e.type === 'PurchaseSkipped'), { what: 'PurchaseSkipped' });
    expect((await s.rechargeEvents('ar-limit')).find((e) => e.type === 'PurchaseSkipped')).toMatchObject({ reason: 'monthly_limit', purchaseId: skipped?.id, amountMinor: '2900' });
  });

  it('given a declined card, then it is retried with back-off and the account told; repeated declines switch auto-recharge off', async () => {
    await autoRechargeAccount('ar-declined', CARDS.declines);
    await s.use('ar-declined', 'use-1', '1500000');
    const [first] = await s.settled('ar-declined');
    expect(first).toMatchObject({ status: 'abandoned', reason: 'declined', attempts: 3 });
    expect(first?.history.filter((h) => h.outcome === 'declined').map((h) => h.attempt)).toEqual([1, 2, 3]);
    expect(await s.call('GET', '/api/billing/auto-recharge?accountId=ar-declined')).toMatchObject({ body: { enabled: true, consecutiveFailures: 1 } });

    // Back above the threshold (re-armed), then below again: a second crossing, declined again.
    await s.fund('ar-declined', 'promo-2', '1000000');
    await s.use('ar-declined', 'use-2', '1000000');
    await s.settled('ar-declined', 2);
    await waitFor(async () => (await s.call<Settings>('GET', '/api/billing/auto-recharge?accountId=ar-declined')).body.ledgerThreshold === 'configured', { what: 'the threshold removed' });
    expect((await s.call('GET', '/api/billing/auto-recharge?accountId=ar-declined')).body).toMatchObject({ enabled: false, disabledReason: 'repeated_failures', consecutiveFailures: 2 });
    await waitFor(async () => (await s.rechargeEvents('ar-declined')).some((e) => e.type === 'AutoRechargeDisabled'), { what: 'AutoRechargeDisabled' });
    expect(types(await s.rechargeEvents('ar-declined'))).toEqual([
      ...['PurchaseRequested#1', 'PurchaseDeclined#1', 'PurchaseRequested#2', 'PurchaseDeclined#2', 'PurchaseRequested#3', 'PurchaseDeclined#3', 'PurchaseAbandoned#3'],
      ...['PurchaseRequested#1', 'PurchaseDeclined#1', 'PurchaseRequested#2', 'PurchaseDeclined#2', 'PurchaseRequested#3', 'PurchaseDeclined#3', 'PurchaseAbandoned#3', 'AutoRechargeDisabled#3'],
    ]);
    // Switched off: the ledger threshold is gone, so no crossing and no purchase any more.
    const thresholds = await s.metering.ledger.query<{ n: bigint }>("select count(*) as n from events where account_id = 'ar-declined' and type = 'ThresholdRemoved'");
    expect(thresholds[0]?.n).toBe(1n);
    expect(await s.purchaseGrants('ar-declined')).toEqual([]);
  });

  it('given a card that requires authentication, then the recharge is abandoned at once: nobody is there to authenticate', async () => {
    await autoRechargeAccount('ar-3ds', CARDS.authenticates);
    await s.use('ar-3ds', 'use-1', '1500000');
    const [p] = await s.settled('ar-3ds');
    expect(p).toMatchObject({ status: 'abandoned', reason: 'authentication_required', attempts: 1 });
    await waitFor(async () => (await s.rechargeEvents('ar-3ds')).find((e) => e.type === 'PurchaseAbandoned'), { what: 'PurchaseAbandoned' });
  });

  it('refuses to switch auto-recharge on for a plan that may not buy the pack, and switches it off on request', async () => {
    await s.subscribe('ar-tp', 'token-packs', 'free');
    await s.saveCard('ar-tp', CARDS.succeeds);
    const refused = await s.call('PUT', '/api/billing/auto-recharge', { accountId: 'ar-tp', enabled: true, packId: 'starter', threshold: '1000' });
    expect(refused).toMatchObject({ status: 422, body: { reason: 'plan_cannot_purchase' } });
    expect((await s.call('GET', '/api/billing/auto-recharge?accountId=ar-tp')).status).toBe(404);
    const off = await s.call('PUT', '/api/billing/auto-recharge', { accountId: 'ar-tp', enabled: false, packId: 'starter', threshold: '1000' });
    expect(off).toMatchObject({ status: 200, body: { enabled: false, disabledReason: 'by_request' } });
  });
});
