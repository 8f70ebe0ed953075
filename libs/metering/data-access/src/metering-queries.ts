import { sql, type Kysely, type Transaction } from 'kysely';
import type { MeteringDatabase } from './schema.js';
import { METERING_EVENT_SUBJECTS, type LimitReachedEvent, type SubscriptionSetEvent } from '@credence/contracts';
import { enqueueOutbox } from '@credence/platform-messaging';

export interface Subscription {
  readonly accountId: string;
  readonly catalogId: string;
  readonly planId: string;
}

/** Override values in force; undefined = the plan's. */
export interface LimitOverride {
  readonly until: Date;
  readonly generationsPerDay?: number;
  readonly creditsPerMonth?: bigint;
  readonly concurrentGenerations?: number;
}

/** What the limits are checked against, at one instant. */
export interface Usage {
  readonly generationsToday: number;
  readonly creditsThisMonth: bigint;
  readonly openNow: number;
}

export interface AuthorizationRow {
  readonly accountId: string;
  readonly key: string;
  readonly holdId: string | null;
  readonly catalogId: string | null;
  readonly planId: string | null;
  readonly estimateCredits: bigint | null;
  readonly priceVersion: string | null;
  readonly status: 'open' | 'settled' | 'failed' | 'refused';
  readonly result: unknown;
  readonly settlement: unknown;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
}

export interface NewAuthorization {
  readonly accountId: string;
  readonly key: string;
  readonly holdId: string | null;
  readonly catalogId: string | null;
  readonly planId: string | null;
  readonly feature: string | null;
  readonly model: string | null;
  readonly estimateCredits: bigint | null;
  readonly priceVersion: string | null;
  readonly status: 'open' | 'refused';
  readonly result: unknown;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
}

export interface RejectToRecord {
  readonly subject: string;
  readonly streamSeq: number | null;
  readonly reason: string;
  readonly detail: string;
  readonly raw: Uint8Array;
}

type Db = Kysely<MeteringDatabase> | Transaction<MeteringDatabase>;

const utcDayStart = (at: Date): Date => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
const utcMonthStart = (at: Date): Date => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
const utcMonthEnd = (at: Date): Date => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));

/** Every statement of the metering schema. */
export class MeteringQueries {
  constructor(readonly db: Kysely<MeteringDatabase>) {}

  /** Sets the account's plan and, in the same transaction, the SubscriptionSet event for stream METERING. */
  async setSubscription(s: Subscription, at: Date): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('subscriptions')
        .values({ account_id: s.accountId, catalog_id: s.catalogId, plan_id: s.planId })
        .onConflict((oc) => oc.column('account_id').doUpdateSet({ catalog_id: s.catalogId, plan_id: s.planId, updated_at: sql`now()` }))
        .execute();
      const event: SubscriptionSetEvent = {
        id: `${s.accountId}#subscription#${s.catalogId}#${s.planId}#${at.toISOString()}`,
        type: 'SubscriptionSet',
        accountId: s.accountId,
        at: at.toISOString(),
        catalogId: s.catalogId,
        planId: s.planId,
      };
      await enqueueOutbox(trx, [{ id: event.id, subject: METERING_EVENT_SUBJECTS.SubscriptionSet, payload: event }]);
    });
  }

  /**
   * The account hit a daily or monthly limit: one LimitReached per account, limit and period (its
   * id is deterministic; later refusals in the period add nothing). Call in the refusal's transaction.
   */
  async limitReached(db: Db, accountId: string, limit: LimitReachedEvent['limit'], value: bigint | number, at: Date): Promise<void> {
    const iso = at.toISOString();
    const period = limit === 'daily_generations' ? iso.slice(0, 10) : iso.slice(0, 7);
    const event: LimitReachedEvent = { id: `${accountId}#${limit}#${period}`, type: 'LimitReached', accountId, at: iso, limit, period, value: value.toString() };
    await enqueueOutbox(db, [{ id: event.id, subject: METERING_EVENT_SUBJECTS.LimitReached, payload: event }]);
  }

  async subscription(accountId: string, db: Db = this.db): Promise<Subscription | undefined> {
    const row = await db.selectFrom('subscriptions').select(['catalog_id', 'plan_id']).where('account_id', '=', accountId).executeTakeFirst();
    return row && { accountId, catalogId: row.catalog_id, planId: row.plan_id };
  }

  async setOverride(accountId: string, o: LimitOverride): Promise<void> {
    const values = {
      until: o.until,
      generations_per_day: o.generationsPerDay ?? null,
      credits_per_month: o.creditsPerMonth?.toString() ?? null,
      concurrent_generations: o.concurrentGenerations ?? null,
    };
    await this.db
      .insertInto('limit_overrides')
      .values({ account_id: accountId, ...values })
      .onConflict((oc) => oc.column('account_id').doUpdateSet(values))
      .execute();
  }

  /** The override whose `until` is still ahead of `at`, if any. */
  async overrideInForce(accountId: string, at: Date, db: Db = this.db): Promise<LimitOverride | undefined> {
    const row = await db.selectFrom('limit_overrides').selectAll().where('account_id', '=', accountId).where('until', '>', at).executeTakeFirst();
    if (!row) return undefined;
    return {
      until: row.until,
      ...(row.generations_per_day === null ? {} : { generationsPerDay: row.generations_per_day }),
      ...(row.credits_per_month === null ? {} : { creditsPerMonth: BigInt(row.credits_per_month) }),
      ...(row.concurrent_generations === null ? {} : { concurrentGenerations: row.concurrent_generations }),
    };
  }

  /**
   * Runs `fn` holding the account's admission lock (its subscription row, `for update`): checks and
   * the authorization they allow are one step for concurrent requests. Undefined without a subscription.
   */
  withAccountLock<T>(accountId: string, fn: (trx: Transaction<MeteringDatabase>, s: Subscription) => Promise<T>): Promise<T | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('subscriptions').select(['catalog_id', 'plan_id']).where('account_id', '=', accountId).forUpdate().executeTakeFirst();
      if (!row) return undefined;
      return fn(trx, { accountId, catalogId: row.catalog_id, planId: row.plan_id });
    });
  }

  /**
   * Approved generations on `at`'s UTC day, credits spent in its UTC month (charged, plus reserved
   * by holds still open: otherwise concurrent authorizations could each pass the monthly cap), and
   * holds open and unexpired at `at`.
   */
  async usage(accountId: string, at: Date, db: Db = this.db): Promise<Usage> {
    const day = utcDayStart(at);
    const [monthStart, monthEnd] = [utcMonthStart(at), utcMonthEnd(at)];
    const { rows } = await sql<{ today: bigint; open_now: bigint; settled: bigint; post_paid: bigint; reserved: bigint }>`
      select
        (select count(*) from authorizations where account_id = ${accountId} and hold_id is not null
           and created_at >= ${day} and created_at < ${day}::timestamptz + interval '1 day') as today,
        (select count(*) from authorizations where account_id = ${accountId} and status = 'open' and expires_at > ${at}) as open_now,
        (select coalesce(sum(charged_credits), 0) from authorizations where account_id = ${accountId} and status = 'settled'
           and settled_at >= ${monthStart} and settled_at < ${monthEnd}) as settled,
        (select coalesce(sum(credits), 0) from usage_records where account_id = ${accountId}
           and occurred_at >= ${monthStart} and occurred_at < ${monthEnd}) as post_paid,
        (select coalesce(sum(estimate_credits), 0) from authorizations where account_id = ${accountId} and status = 'open'
           and expires_at > ${at}) as reserved
    `.execute(db);
    const r = rows[0];
    return {
      generationsToday: Number(r?.today ?? 0n),
      openNow: Number(r?.open_now ?? 0n),
      creditsThisMonth: BigInt(r?.settled ?? 0n) + BigInt(r?.post_paid ?? 0n) + BigInt(r?.reserved ?? 0n),
    };
  }

  async authorizationByKey(accountId: string, key: string, db: Db = this.db): Promise<AuthorizationRow | undefined> {
    const row = await db.selectFrom('authorizations').selectAll().where('account_id', '=', accountId).where('key', '=', key).executeTakeFirst();
    return row && toAuthorization(row);
  }

  /** The authorization of a hold, locked until the transaction ends when `db` is one. */
  async authorizationByHold(holdId: string, db: Db = this.db, lock = false): Promise<AuthorizationRow | undefined> {
    const q = db.selectFrom('authorizations').selectAll().where('hold_id', '=', holdId);
    const row = await (lock ? q.forUpdate() : q).executeTakeFirst();
    return row && toAuthorization(row);
  }

  /** Inserts unless the key is already there (a racing twin): then the stored one wins and is returned. */
  async insertAuthorization(a: NewAuthorization, db: Db = this.db): Promise<AuthorizationRow> {
    const inserted = await db
      .insertInto('authorizations')
      .values({
        account_id: a.accountId,
        key: a.key,
        hold_id: a.holdId,
        catalog_id: a.catalogId,
        plan_id: a.planId,
        feature: a.feature,
        model: a.model,
        estimate_credits: a.estimateCredits?.toString() ?? null,
        price_version: a.priceVersion,
        status: a.status,
        result: JSON.stringify(a.result),
        created_at: a.createdAt,
        expires_at: a.expiresAt,
      })
      .onConflict((oc) => oc.columns(['account_id', 'key']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return toAuthorization(inserted);
    const stored = await this.authorizationByKey(a.accountId, a.key, db);
    if (!stored) throw new Error(`authorization ${a.accountId}/${a.key} neither inserted nor found`);
    return stored;
  }

  async settleAuthorization(
    holdId: string,
    s: { status: 'settled' | 'failed'; chargedCredits: bigint; settlement: unknown; at: Date },
    db: Db = this.db,
  ): Promise<void> {
    await db
      .updateTable('authorizations')
      .set({ status: s.status, charged_credits: s.chargedCredits.toString(), settlement: JSON.stringify(s.settlement), settled_at: s.at })
      .where('hold_id', '=', holdId)
      .where('status', '=', 'open')
      .execute();
  }

  async usageRecord(accountId: string, key: string): Promise<unknown> {
    const row = await this.db.selectFrom('usage_records').select('result').where('account_id', '=', accountId).where('key', '=', key).executeTakeFirst();
    return row?.result;
  }

  /** Records a forwarded usage once; a twin already stored keeps its result, which is returned. */
  async insertUsageRecord(r: { accountId: string; key: string; credits: bigint; priceVersion: string | null; occurredAt: Date; result: unknown }): Promise<unknown> {
    await this.db
      .insertInto('usage_records')
      .values({
        account_id: r.accountId,
        key: r.key,
        credits: r.credits.toString(),
        price_version: r.priceVersion,
        occurred_at: r.occurredAt,
        result: JSON.stringify(r.result),
      })
      .onConflict((oc) => oc.columns(['account_id', 'key']).doNothing())
      .execute();
    return this.usageRecord(r.accountId, r.key);
  }

  async recordReject(r: RejectToRecord): Promise<void> {
    await this.db.insertInto('rejects').values({ subject: r.subject, stream_seq: r.streamSeq, reason: r.reason, detail: r.detail, raw: r.raw }).execute();
  }
}

function toAuthorization(r: {
  account_id: string;
  key: string;
  hold_id: string | null;
  catalog_id: string | null;
  plan_id: string | null;
  estimate_credits: bigint | string | null;
  price_version: string | null;
  status: AuthorizationRow['status'];
  result: unknown;
  settlement: unknown;
  created_at: Date;
  expires_at: Date | null;
}): AuthorizationRow {
  return {
    accountId: r.account_id,
    key: r.key,
    holdId: r.hold_id,
    catalogId: r.catalog_id,
    planId: r.plan_id,
    estimateCredits: r.estimate_credits === null ? null : BigInt(r.estimate_credits),
    priceVersion: r.price_version,
    status: r.status,
    result: r.result,
    settlement: r.settlement,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  };
}
