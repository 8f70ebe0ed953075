import type { Kysely } from 'kysely';
import { closeDatabase, createDatabase, runMigrations } from '@credence/platform-database';
import { createTestSchema, type TestSchema } from '@credence/testing';
import { RECHARGE_MIGRATIONS, RechargeQueries, SandboxQueries, type NewPurchase, type RechargeDatabase } from './index.js';

let schema: TestSchema;
let db: Kysely<RechargeDatabase>;
let q: RechargeQueries;
let sandbox: SandboxQueries;

const T0 = new Date(Date.UTC(2026, 10, 21, 8));
const at = (ms: number) => new Date(T0.getTime() + ms);

beforeAll(async () => {
  schema = await createTestSchema('recharge_da');
  db = createDatabase<RechargeDatabase>({ connectionString: schema.connectionString, schema: schema.schema, poolMax: 6 });
  await runMigrations(db, { schema: schema.schema, migrations: RECHARGE_MIGRATIONS });
  q = new RechargeQueries(db);
  sandbox = new SandboxQueries(db);
});

afterAll(async () => {
  await closeDatabase(db);
  await schema.drop();
});

const auto = (id: string, accountId: string, cause: string, over: Partial<NewPurchase> = {}): NewPurchase => ({
  id,
  accountId,
  trigger: 'auto',
  key: null,
  cause,
  month: '2026-11',
  catalogId: 'wazion',
  planId: 'free',
  packId: '1m',
  packVersion: '1m-2025-01',
  credits: 1_000_000n,
  amountMinor: 2900n,
  currency: 'EUR',
  paymentMethodId: 'pm_1',
  status: 'pending',
  reason: null,
  nextAttemptAt: T0,
  createdAt: T0,
  ...over,
});

const event = (id: string) => ({ id, subject: 'recharge.v1.purchase.requested', payload: { id } });

describe('RechargeQueries: purchases', () => {
  it('given two workers inserting a recharge for the same crossing at once, then one purchase exists and both see it', async () => {
    const [a, b] = await Promise.all([
      q.transaction((trx) => q.insertPurchase(auto('p-a', 'acct-1', 'acct-1#k#0'), [{ attempt: 0, outcome: 'requested', detail: null }], [event('e-a')], trx)),
      q.transaction((trx) => q.insertPurchase(auto('p-b', 'acct-1', 'acct-1#k#0'), [{ attempt: 0, outcome: 'requested', detail: null }], [event('e-b')], trx)),
    ]);
    expect([a.inserted, b.inserted].sort()).toEqual([false, true]);
    expect(a.purchase.id).toBe(b.purchase.id);
    const { count } = await db.selectFrom('outbox').select(db.fn.countAll<bigint>().as('count')).where('id', 'in', ['e-a', 'e-b']).executeTakeFirstOrThrow();
    expect(count).toBe(1n);
  });

  it('given a manual purchase key used twice, then the first purchase answers', async () => {
    const manual = (id: string) => ({ ...auto(id, 'acct-2', 'x'), trigger: 'manual' as const, key: 'buy-1', cause: null, month: null });
    const first = await q.transaction((trx) => q.insertPurchase(manual('m-1'), [], [], trx));
    const again = await q.transaction((trx) => q.insertPurchase(manual('m-2'), [], [], trx));
    expect([first.inserted, again.inserted, again.purchase.id]).toEqual([true, false, 'm-1']);
  });

  it("sums this month's auto-recharges that succeeded or are in flight, in one currency", async () => {
    await q.transaction(async (trx) => {
      await q.insertPurchase(auto('s-1', 'acct-3', 'c1', { status: 'processing' }), [], [], trx);
      await q.insertPurchase(auto('s-2', 'acct-3', 'c2', { status: 'pending' }), [], [], trx);
      await q.insertPurchase(auto('s-3', 'acct-3', 'c3', { status: 'abandoned', nextAttemptAt: null }), [], [], trx);
      await q.insertPurchase(auto('s-4', 'acct-3', 'c4', { status: 'pending', month: '2026-10' }), [], [], trx);
      await q.insertPurchase(auto('s-5', 'acct-3', 'c5', { status: 'pending', currency: 'DZD' }), [], [], trx);
    });
    expect(await q.monthSpending('acct-3', '2026-11', 'EUR')).toBe(5800n);
  });

  it('given two workers claiming due work at once, then no purchase is taken twice, and a taken one waits out its lease', async () => {
    await q.transaction(async (trx) => {
      for (let i = 0; i < 10; i++) await q.insertPurchase(auto(`due-${i}`, 'acct-4', `due-${i}`, { nextAttemptAt: at(-1000) }), [], [], trx);
    });
    const [a, b] = await Promise.all([q.claimDue(T0, 100, 60_000), q.claimDue(T0, 100, 60_000)]);
    const ids = [...a, ...b].map((p) => p.id).filter((id) => id.startsWith('due-'));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(10);
    expect((await q.claimDue(T0, 100, 60_000)).filter((p) => p.id.startsWith('due-'))).toEqual([]);
    expect((await q.claimDue(at(60_000), 100, 60_000)).filter((p) => p.id.startsWith('due-')).length).toBe(10);
  });

  it('lists an account newest first, page by page, with each purchase log in order', async () => {
    await q.transaction(async (trx) => {
      for (let i = 0; i < 3; i++) {
        await q.insertPurchase(auto(`l-${i}`, 'acct-5', `l-${i}`, { createdAt: at(i) }), [{ attempt: 0, outcome: 'requested', detail: null }], [], trx);
        await q.appendAttempts(`l-${i}`, [{ attempt: 1, outcome: 'declined', detail: 'card_declined' }], at(i), trx);
      }
    });
    const first = await q.purchases('acct-5', { limit: 2 });
    expect(first.map((p) => p.id)).toEqual(['l-2', 'l-1']);
    expect((await q.purchases('acct-5', { limit: 2, after: 'l-1' })).map((p) => p.id)).toEqual(['l-0']);
    expect((await q.attempts(['l-0'])).get('l-0')?.map((a) => a.outcome)).toEqual(['requested', 'declined']);
  });
});

describe('RechargeQueries: settings', () => {
  it('saves, reads under a lock, and tracks the version the ledger has applied', async () => {
    const s = {
      accountId: 'acct-6',
      enabled: true,
      packId: '1m',
      threshold: 100n,
      monthlyLimitMinor: 5000n,
      currency: 'EUR',
      paymentMethodId: null,
      enabledSince: T0,
      consecutiveFailures: 0,
      disabledReason: null,
      version: 1,
      updatedAt: T0,
    };
    await q.saveSettings(s);
    expect((await q.settingsBehindLedger(100)).map((x) => x.accountId)).toContain('acct-6');
    await q.markThresholdApplied('acct-6', 1);
    expect((await q.settingsBehindLedger(100)).map((x) => x.accountId)).not.toContain('acct-6');
    await q.saveSettings({ ...s, version: 2, enabled: false });
    await q.markThresholdApplied('acct-6', 1);
    expect(await q.transaction((trx) => q.settings('acct-6', trx, true))).toMatchObject({ enabled: false, version: 2, ledgerThresholdVersion: 1 });
  });
});

describe('SandboxQueries', () => {
  it('makes one charge per idempotency key, settles it when due and hands each webhook to one sender', async () => {
    await sandbox.addMethod({ id: 'spm-1', accountId: 'acct-7', cardNumber: '4242424242424242', behaviour: 'succeed', createdAt: T0 });
    const charge = { id: 'ch-1', idempotencyKey: 'p-1:1', paymentMethodId: 'spm-1', accountId: 'acct-7', amountMinor: 2900n, currency: 'EUR', status: 'processing' as const, settlesTo: 'succeeded' as const, declineCode: null, createdAt: T0, settleAt: at(100) };
    const [a, b] = await Promise.all([sandbox.createCharge(charge), sandbox.createCharge({ ...charge, id: 'ch-2' })]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(await sandbox.chargesOf('acct-7')).toHaveLength(1);
    expect(await sandbox.settleDue(T0, 10, 0)).toEqual([]);
    expect((await sandbox.settleDue(at(100), 10, 50)).map((c) => c.status)).toEqual(['succeeded']);
    expect(await sandbox.claimWebhooks(at(100), 10, 1_000)).toEqual([]);
    const [w1, w2] = await Promise.all([sandbox.claimWebhooks(at(150), 10, 1_000), sandbox.claimWebhooks(at(150), 10, 1_000)]);
    expect([...w1, ...w2].map((c) => c.idempotencyKey)).toEqual(['p-1:1']);
    await sandbox.webhookDone([...w1, ...w2][0]!.id, at(151), true, null);
    expect(await sandbox.claimWebhooks(at(10_000), 10, 1_000)).toEqual([]);
  });
});
