import { createHmac } from 'node:crypto';
import { RECHARGE_BALANCE_LOW_CONSUMER } from '@credence/contracts';
import { waitFor } from '@credence/testing';
import { CARDS, RechargeStack } from '../testing/recharge-process.js';

let s: RechargeStack;
const SECRET = 'e2e-sandbox-secret-0123456789';

beforeAll(async () => {
  // Two replicas, and a provider whose callbacks are all lost: polls must confirm every payment.
  s = await RechargeStack.create('rworkers', 2, { SANDBOX_WEBHOOKS: 'off', SANDBOX_WEBHOOK_SECRET: SECRET });
}, 120_000);

afterAll(async () => {
  await s?.close();
});

async function autoRechargeAccount(accountId: string): Promise<void> {
  await s.subscribe(accountId, 'wazion', 'free');
  await s.fund(accountId, 'promo-1', '2000000');
  await s.saveCard(accountId, CARDS.succeeds);
  expect((await s.call('PUT', '/api/billing/auto-recharge', { accountId, enabled: true, packId: '1m', threshold: '1000000' })).status).toBe(200);
  await s.thresholdConfigured(accountId);
}

/** Every crossing on the LEDGER stream has been acknowledged by a recharge worker. */
async function crossingsHandled(): Promise<void> {
  const ledger = s.metering.ledger;
  await waitFor(
    async () => {
      const c = await ledger.jsm.consumers.info(ledger.eventStream, RECHARGE_BALANCE_LOW_CONSUMER);
      return c.num_pending === 0 && c.num_ack_pending === 0;
    },
    { what: 'the balance-low consumer to be drained', timeoutMs: 20_000 },
  );
}

describe('recharge with two workers', () => {
  it('given the same low-balance event delivered five times to two workers, then one purchase', async () => {
    await autoRechargeAccount('dup');
    await s.use('dup', 'use-1', '1500000');
    const [crossing] = await waitFor(async () => {
      const lows = await s.balanceLows('dup');
      return lows.length > 0 ? lows : undefined;
    }, { what: 'the crossing on the LEDGER stream' });
    await Promise.all([1, 2, 3, 4].map(() => s.redeliver(crossing!)));
    await crossingsHandled();
    const [p] = await s.settled('dup');
    expect(p).toMatchObject({ status: 'granted', cause: crossing?.id });
    expect(await s.charges('dup')).toHaveLength(1);
    expect(await s.purchaseGrants('dup')).toHaveLength(1);
    expect(await s.metering.balance('dup')).toMatchObject({ available: '1500000' });
  });

  it('given every callback lost, then a poll confirms the payment; a late callback changes nothing', async () => {
    await s.subscribe('lost-cb', 'wazion', 'free');
    await s.saveCard('lost-cb', CARDS.succeeds);
    const r = await s.call<{ id: string }>('POST', '/api/billing/purchases', { accountId: 'lost-cb', packId: '1m', key: 'buy-1' }, { replica: 1 });
    const [p] = await s.settled('lost-cb');
    expect(p).toMatchObject({ id: r.body.id, status: 'granted' });

    const late = JSON.stringify({ type: 'charge.updated', chargeId: 'ch_x', idempotencyKey: `${r.body.id}:1`, status: 'succeeded', declineCode: null });
    const t = Math.floor(Date.now() / 1000);
    const signature = `t=${t},v1=${createHmac('sha256', SECRET).update(`${t}.${late}`).digest('hex')}`;
    const post = (sig: string) =>
      fetch(`${s.processes[0]?.url}/api/billing/gateway/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'sandbox-signature': sig }, body: late });
    const accepted = await post(signature);
    expect([accepted.status, await accepted.json()]).toEqual([200, { status: 'accepted', applied: false }]);
    // Flip the first hex digit (replacing it with a fixed one left it unchanged one time in 16).
    const tampered = signature.replace(/v1=(.)/, (_, c: string) => `v1=${c === '0' ? '1' : '0'}`);
    expect((await post(tampered)).status).toBe(401);
    expect(await s.purchaseGrants('lost-cb')).toHaveLength(1);
    expect(await s.metering.balance('lost-cb')).toMatchObject({ total: '1000000' });
  });

  it('given a worker killed while recharges are in flight, then the other finishes them, and a restart buys nothing more for those crossings', async () => {
    // Several accounts cross at once, so that the killed worker is surely handling some of them.
    const accounts = ['crash-0', 'crash-1', 'crash-2', 'crash-3'];
    for (const a of accounts) await autoRechargeAccount(a);
    await Promise.all(accounts.map((a) => s.use(a, 'use-1', '1500000')));
    await waitFor(async () => (await Promise.all(accounts.map((a) => s.purchases(a)))).some((list) => list.length > 0), { what: 'recharges to start', intervalMs: 5 });
    await s.stop(0, 'SIGKILL');
    const crossings = (await Promise.all(accounts.map((a) => s.balanceLows(a)))).map((lows) => lows[0]!);
    await Promise.all(crossings.map((c) => s.redeliver(c)));
    for (const a of accounts) expect((await s.settled(a, 1, 30_000))[0]).toMatchObject({ status: 'granted' });

    await s.start({ SANDBOX_WEBHOOKS: 'off', SANDBOX_WEBHOOK_SECRET: SECRET });
    await Promise.all(crossings.map((c) => s.redeliver(c)));
    await crossingsHandled();
    for (const [i, a] of accounts.entries()) {
      expect(await s.purchases(a)).toMatchObject([{ status: 'granted', cause: crossings[i]?.id }]);
      expect(await s.charges(a)).toHaveLength(1);
      expect(await s.purchaseGrants(a)).toHaveLength(1);
      expect(await s.metering.balance(a)).toMatchObject({ available: '1500000' });
    }
  });
});
