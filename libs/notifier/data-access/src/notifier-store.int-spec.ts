import type { Kysely } from 'kysely';
import { notification, type Effect, type Notification } from '@credence/notifier-domain';
import { closeDatabase, createDatabase, runMigrations } from '@credence/platform-database';
import { createTestSchema, type TestSchema } from '@credence/testing';
import { NOTIFIER_MIGRATIONS } from './migrations/index.js';
import { NotifierStore, type RecordTimes } from './notifier-store.js';
import type { NotifierDatabase } from './schema.js';

let schema: TestSchema;
let db: Kysely<NotifierDatabase>;
let store: NotifierStore;

const T0 = Date.UTC(2026, 10, 21, 8);
const times = (ms = T0): RecordTimes => ({ now: new Date(ms), giveUpAt: new Date(ms + 86_400_000) });
const low = (accountId: string, eventId: string): Notification => notification('balance_low', eventId, accountId, T0, { threshold: 'low', level: '500', available: '400' });
const notify = (n: Notification): Effect => ({ type: 'notify', notification: n });

beforeAll(async () => {
  schema = await createTestSchema('notifier_da');
  db = createDatabase<NotifierDatabase>({ connectionString: schema.connectionString, schema: schema.schema, poolMax: 6 });
  await runMigrations(db, { schema: schema.schema, migrations: NOTIFIER_MIGRATIONS });
  store = new NotifierStore(db);
  await store.insertWebhook({ id: 'wh_a', accountId: 'a', url: 'https://a.example/hook', kinds: ['balance_low', 'price_change'], secret: 's', description: '', createdAt: new Date(T0) });
  await store.insertWebhook({ id: 'wh_a2', accountId: 'a', url: 'https://a.example/other', kinds: ['monthly_reset'], secret: 's', description: '', createdAt: new Date(T0) });
  await store.insertEmail({ id: 'em_a', accountId: 'a', address: 'ops@a.example', kinds: ['balance_low'], createdAt: new Date(T0) });
  await store.insertWebhook({ id: 'wh_b', accountId: 'b', url: 'https://b.example/hook', kinds: ['price_change'], secret: 's', description: '', createdAt: new Date(T0) });
});

afterAll(async () => {
  await closeDatabase(db);
  await schema.drop();
});

describe('recording notifications', () => {
  it('given a notification, then one delivery per live target asking for its kind; the same cause again records nothing', async () => {
    expect(await store.apply([notify(low('a', 'e1'))], [], times())).toEqual({ notifications: 1, deliveries: 2 });
    expect(await store.apply([notify(low('a', 'e1')), notify(low('a', 'e1'))], [], times())).toEqual({ notifications: 0, deliveries: 0 });
    const d = await store.deliveries({ accountId: 'a', notificationId: low('a', 'e1').id, limit: 10 });
    expect(d.map((x) => [x.channel, x.target, x.status]).sort()).toEqual([
      ['email', 'ops@a.example', 'pending'],
      ['webhook', 'https://a.example/hook', 'pending'],
    ]);
  });

  it('given two transactions recording the same cause at once, then exactly one records it', async () => {
    const results = await Promise.all([1, 2, 3].map(() => store.apply([notify(low('a', 'race'))], [], times())));
    expect(results.map((r) => r.notifications).sort()).toEqual([0, 0, 1]);
    expect(await store.deliveries({ accountId: 'a', notificationId: low('a', 'race').id, limit: 10 })).toHaveLength(2);
  });

  it('given a price change, then each subscriber of that catalog (latest subscription wins) gets its own notification', async () => {
    await store.apply(
      [
        { type: 'set_subscription', accountId: 'a', catalogId: 'cat1', planId: 'p', at: T0 },
        { type: 'set_subscription', accountId: 'b', catalogId: 'cat1', planId: 'p', at: T0 + 10 },
        // older than b's current subscription: ignored
        { type: 'set_subscription', accountId: 'b', catalogId: 'cat2', planId: 'p', at: T0 },
        { type: 'set_subscription', accountId: 'c', catalogId: 'cat2', planId: 'p', at: T0 },
      ],
      [],
      times(),
    );
    const change: Effect = { type: 'notify_subscribers', catalogId: 'cat1', cause: 'cat1#2', occurredAt: T0, data: { catalogId: 'cat1', revision: 2, changes: [] } };
    expect(await store.apply([change], [], times())).toEqual({ notifications: 2, deliveries: 2 });
    expect(await store.apply([change], [], times())).toEqual({ notifications: 0, deliveries: 0 });
  });

  it('given reminders, then due ones fire once, cancelled and expired ones never', async () => {
    const r = (grantId: string, notifyAt: number, expiresAt: number): Effect => ({
      type: 'schedule_reminder',
      reminder: { accountId: 'a', grantId, source: 'promo', amount: '10', expiresAt, notifyAt },
    });
    await store.apply([r('g-due', T0 - 1, T0 + 1_000), r('g-later', T0 + 60_000, T0 + 120_000), r('g-gone', T0 - 1, T0 + 1_000), r('g-stale', T0 - 2, T0 - 1)], [], times());
    await store.apply([{ type: 'cancel_reminder', accountId: 'a', grantId: 'g-gone' }, r('g-due', T0 - 5, T0)], [], times());
    const fired = await store.fireDueReminders(100, times());
    expect(fired).toEqual({ notifications: 1, deliveries: 0, cancelled: 1 });
    expect(await store.fireDueReminders(100, times())).toEqual({ notifications: 0, deliveries: 0, cancelled: 0 });
    expect(await store.fireDueReminders(100, times(T0 + 60_000))).toMatchObject({ notifications: 1 });
  });

  it('given a reject, then it is kept with its bytes', async () => {
    await store.apply([], [{ stream: 'LEDGER', subject: 'ledger.v1.balance.low', streamSeq: 7, reason: 'data.level: must be an integer', raw: Buffer.from('{"x":1}') }], times());
    const rows = await db.selectFrom('rejects').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(Buffer.from(rows[0]!.raw).toString()).toBe('{"x":1}');
  });
});

describe('claiming and settling deliveries', () => {
  it('given concurrent claimers, then each due delivery is taken by exactly one, and not again before its lease ends', async () => {
    for (let i = 0; i < 20; i++) await store.apply([notify(low('a', `bulk-${i}`))], [], times());
    const pending = (await db.selectFrom('deliveries').select('id').where('status', '=', 'pending').execute()).length;
    expect(pending).toBeGreaterThanOrEqual(40);
    const now = new Date(T0 + 1_000);
    const claims = await Promise.all([1, 2, 3, 4].map(() => store.claimDue({ now, leaseUntil: new Date(T0 + 60_000), limit: 15, channels: ['webhook', 'email'] })));
    const ids = claims.flat().map((c) => c.id);
    expect(new Set(ids).size).toBe(pending);
    expect(ids).toHaveLength(pending);
    expect(await store.claimDue({ now, leaseUntil: new Date(T0 + 60_000), limit: 100, channels: ['webhook', 'email'] })).toEqual([]);
    for (const c of claims.flat()) expect(c.attempt).toBe(1);
  });

  it('given an attempt whose lease was overtaken by a newer claim, then it is logged but settles nothing', async () => {
    await store.apply([notify(low('b2', 'lease'))], [], times());
    await store.insertWebhook({ id: 'wh_b2', accountId: 'b2', url: 'https://b2.example/', kinds: ['balance_low'], secret: 'k', description: '', createdAt: new Date(T0) });
    await store.apply([notify(low('b2', 'lease2'))], [], times());
    const [first] = await store.claimDue({ now: new Date(T0 + 1), leaseUntil: new Date(T0 + 2), limit: 1, channels: ['webhook'] }).then((all) => all.filter((c) => c.accountId === 'b2'));
    // (the other deliveries of this file are claimed already, so only b2's is due)
    expect(first).toMatchObject({ attempt: 1, secret: 'k', target: 'https://b2.example/' });
    const [second] = await store.claimDue({ now: new Date(T0 + 3), leaseUntil: new Date(T0 + 60_000), limit: 10, channels: ['webhook'] }).then((all) => all.filter((c) => c.accountId === 'b2'));
    expect(second?.attempt).toBe(2);
    const attempt = (n: number, outcome: 'delivered' | 'failed') => ({
      deliveryId: first!.id,
      attempt: n,
      startedAt: new Date(T0),
      durationMs: 5,
      outcome,
      statusCode: outcome === 'delivered' ? 200 : 500,
      error: outcome === 'delivered' ? null : 'HTTP 500',
      settlement: outcome === 'delivered' ? ({ status: 'delivered', at: new Date(T0 + 10) } as const) : ({ status: 'pending', nextAttemptAt: new Date(T0 + 99), error: 'HTTP 500' } as const),
    });
    expect(await store.recordAttempt(attempt(1, 'failed'))).toBe(false);
    expect(await store.recordAttempt(attempt(2, 'delivered'))).toBe(true);
    const d = await store.delivery(first!.id);
    expect(d).toMatchObject({ status: 'delivered', nextAttemptAt: null });
    expect(d?.attempts.map((a) => [a.attempt, a.outcome, a.statusCode])).toEqual([
      [1, 'failed', 500],
      [2, 'delivered', 200],
    ]);
    // and the log cannot be rewritten
    await expect(db.updateTable('delivery_attempts').set({ outcome: 'delivered' }).where('delivery_id', '=', first!.id).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('delivery_attempts').execute()).rejects.toThrow(/append-only/);
  });

  it('given a deleted endpoint, then its pending deliveries are cancelled and no new ones are made for it', async () => {
    await store.insertWebhook({ id: 'wh_c', accountId: 'c', url: 'https://c.example/', kinds: ['balance_low'], secret: 'k', description: '', createdAt: new Date(T0) });
    await store.apply([notify(low('c', 'before-delete'))], [], times());
    expect((await store.deleteWebhook('wh_c', new Date(T0)))?.id).toBe('wh_c');
    expect(await store.deleteWebhook('wh_c', new Date(T0))).toBeUndefined();
    expect((await store.deliveries({ accountId: 'c', limit: 10 })).map((d) => d.status)).toEqual(['cancelled']);
    expect(await store.apply([notify(low('c', 'after-delete'))], [], times())).toEqual({ notifications: 1, deliveries: 0 });
    expect(await store.webhookAccount('wh_c')).toEqual({ accountId: 'c', deleted: true });
  });

  it('given a pending delivery past its give-up time that nobody holds, then it is dead-lettered; a dead one can be retried', async () => {
    await store.insertEmail({ id: 'em_d', accountId: 'd', address: 'd@d.example', kinds: ['balance_low'], createdAt: new Date(T0) });
    await store.apply([notify(low('d', 'overdue'))], [], { now: new Date(T0), giveUpAt: new Date(T0 + 1_000) });
    expect(await store.expireOverdue(new Date(T0 + 1_001))).toBeGreaterThanOrEqual(1);
    const [dead] = await store.deliveries({ accountId: 'd', status: 'dead', limit: 10 });
    expect(dead).toMatchObject({ status: 'dead', lastError: 'not delivered before its give-up time' });
    const again = await store.retryDead(dead!.id, times(T0 + 2_000));
    expect(again).toMatchObject({ status: 'pending', nextAttemptAt: new Date(T0 + 2_000) });
    expect(await store.retryDead(dead!.id, times(T0 + 2_000))).toBeUndefined();
  });

  it('given a claim found past its give-up time, then it is dead with no attempt logged, and only by the claim holder', async () => {
    await store.insertEmail({ id: 'em_e', accountId: 'e', address: 'e@e.example', kinds: ['balance_low'], createdAt: new Date(T0) });
    await store.apply([notify(low('e', 'late-claim'))], [], { now: new Date(T0), giveUpAt: new Date(T0 + 1_000) });
    const [claimed] = await store.claimDue({ now: new Date(T0 + 1_000), leaseUntil: new Date(T0 + 60_000), limit: 10, channels: ['email'] }).then((all) => all.filter((c) => c.accountId === 'e'));
    expect(claimed?.attempt).toBe(1);
    expect(await store.expireClaimed(claimed!.id, 2, new Date(T0 + 1_001))).toBe(false);
    expect(await store.expireClaimed(claimed!.id, 1, new Date(T0 + 1_001))).toBe(true);
    const d = await store.delivery(claimed!.id);
    expect(d).toMatchObject({ status: 'dead', lastError: 'not delivered before its give-up time' });
    expect(d?.attempts).toEqual([]);
  });

  it('pages the log newest first', async () => {
    const page1 = await store.deliveries({ accountId: 'a', limit: 5 });
    const page2 = await store.deliveries({ accountId: 'a', limit: 5, before: page1.at(-1)!.id });
    expect(page1).toHaveLength(5);
    expect(page2[0]!.id).toBeLessThan(page1.at(-1)!.id);
    expect(await store.liveTargets('a')).toBe(3);
  });
});
