import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { enqueueOutbox, type OutboxMessage } from '@credence/platform-messaging';
import type { RechargeDatabase } from './schema.js';

export type Db = Kysely<RechargeDatabase> | Transaction<RechargeDatabase>;
export type Trx = Transaction<RechargeDatabase>;

export interface Settings {
  readonly accountId: string;
  readonly enabled: boolean;
  readonly packId: string;
  readonly threshold: bigint;
  /** Null only while disabled without a price known (the catalog refused or was out when it was saved). */
  readonly monthlyLimitMinor: bigint | null;
  readonly currency: string | null;
  /** Null: the account's default (newest) payment method. */
  readonly paymentMethodId: string | null;
  readonly enabledSince: Date | null;
  readonly consecutiveFailures: number;
  readonly disabledReason: string | null;
  readonly version: number;
  readonly ledgerThresholdVersion: number | null;
  readonly updatedAt: Date;
}

export interface PaymentMethod {
  readonly id: string;
  readonly accountId: string;
  readonly brand: string;
  readonly last4: string;
  readonly createdAt: Date;
}

export interface Purchase {
  readonly id: string;
  readonly accountId: string;
  readonly trigger: 'manual' | 'auto';
  readonly key: string | null;
  readonly cause: string | null;
  readonly month: string | null;
  readonly catalogId: string | null;
  readonly planId: string | null;
  readonly packId: string;
  readonly packVersion: string | null;
  readonly credits: bigint | null;
  readonly amountMinor: bigint | null;
  readonly currency: string | null;
  readonly paymentMethodId: string | null;
  readonly status: string;
  readonly reason: string | null;
  readonly attempts: number;
  readonly attemptStartedAt: Date | null;
  readonly nextAttemptAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly paidAt: Date | null;
  readonly grantedAt: Date | null;
}

export type NewPurchase = Omit<Purchase, 'attempts' | 'attemptStartedAt' | 'updatedAt' | 'paidAt' | 'grantedAt'>;

/** The fields a step of a purchase may change. */
export type PurchasePatch = Partial<Pick<Purchase, 'status' | 'reason' | 'attempts' | 'attemptStartedAt' | 'nextAttemptAt' | 'paidAt' | 'grantedAt'>>;

export interface AttemptLine {
  readonly attempt: number;
  readonly outcome: string;
  readonly detail: string | null;
  readonly at: Date;
}

const toSettings = (r: Selectable<RechargeDatabase['settings']>): Settings => ({
  accountId: r.account_id,
  enabled: r.enabled,
  packId: r.pack_id,
  threshold: BigInt(r.threshold),
  monthlyLimitMinor: r.monthly_limit_minor === null ? null : BigInt(r.monthly_limit_minor),
  currency: r.currency,
  paymentMethodId: r.payment_method_id,
  enabledSince: r.enabled_since,
  consecutiveFailures: r.consecutive_failures,
  disabledReason: r.disabled_reason,
  version: r.version,
  ledgerThresholdVersion: r.ledger_threshold_version,
  updatedAt: r.updated_at,
});

const big = (v: bigint | string | null): bigint | null => (v === null ? null : BigInt(v));

const toPurchase = (r: Selectable<RechargeDatabase['purchases']>): Purchase => ({
  id: r.id,
  accountId: r.account_id,
  trigger: r.trigger,
  key: r.key,
  cause: r.cause,
  month: r.month,
  catalogId: r.catalog_id,
  planId: r.plan_id,
  packId: r.pack_id,
  packVersion: r.pack_version,
  credits: big(r.credits),
  amountMinor: big(r.amount_minor),
  currency: r.currency,
  paymentMethodId: r.payment_method_id,
  status: r.status,
  reason: r.reason,
  attempts: r.attempts,
  attemptStartedAt: r.attempt_started_at,
  nextAttemptAt: r.next_attempt_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  paidAt: r.paid_at,
  grantedAt: r.granted_at,
});

/** Money being spent: what counts against the monthly auto-recharge limit (see the domain's SPENDING_STATUSES). */
const SPENDING = ['pending', 'processing', 'paid', 'granted'];
const ACTIVE = ['pending', 'processing', 'paid'];

/** Every statement of recharge's own tables (the sandbox provider's are in SandboxQueries, the outbox's in platform-messaging). */
export class RechargeQueries {
  constructor(readonly db: Kysely<RechargeDatabase>) {}

  transaction<T>(fn: (trx: Trx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  // ---- settings

  /** With `lock` inside a transaction: the account's auto-recharge lock, held until it ends. */
  async settings(accountId: string, db: Db = this.db, lock = false): Promise<Settings | undefined> {
    const q = db.selectFrom('settings').selectAll().where('account_id', '=', accountId);
    const row = await (lock ? q.forUpdate() : q).executeTakeFirst();
    return row && toSettings(row);
  }

  async saveSettings(s: Omit<Settings, 'ledgerThresholdVersion'>, db: Db = this.db): Promise<Settings> {
    const values = {
      enabled: s.enabled,
      pack_id: s.packId,
      threshold: s.threshold,
      monthly_limit_minor: s.monthlyLimitMinor,
      currency: s.currency,
      payment_method_id: s.paymentMethodId,
      enabled_since: s.enabledSince,
      consecutive_failures: s.consecutiveFailures,
      disabled_reason: s.disabledReason,
      version: s.version,
      updated_at: s.updatedAt,
    };
    const row = await db
      .insertInto('settings')
      .values({ account_id: s.accountId, ...values })
      .onConflict((oc) => oc.column('account_id').doUpdateSet(values))
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSettings(row);
  }

  /** Accounts whose ledger threshold is behind their settings. */
  async settingsBehindLedger(limit: number): Promise<Settings[]> {
    const rows = await this.db
      .selectFrom('settings')
      .selectAll()
      .where(sql<boolean>`ledger_threshold_version is distinct from version`)
      .orderBy('updated_at')
      .limit(limit)
      .execute();
    return rows.map(toSettings);
  }

  /** The ledger applied the threshold of `version`; a later save is still behind. */
  async markThresholdApplied(accountId: string, version: number): Promise<void> {
    await this.db
      .updateTable('settings')
      .set({ ledger_threshold_version: version })
      .where('account_id', '=', accountId)
      .where(sql<boolean>`coalesce(ledger_threshold_version, 0) < ${version}`)
      .execute();
  }

  // ---- payment methods

  async addPaymentMethod(m: PaymentMethod): Promise<void> {
    await this.db.insertInto('payment_methods').values({ id: m.id, account_id: m.accountId, brand: m.brand, last4: m.last4, created_at: m.createdAt }).execute();
  }

  /** Newest first: the first is the account's default. */
  async paymentMethods(accountId: string): Promise<PaymentMethod[]> {
    const rows = await this.db.selectFrom('payment_methods').selectAll().where('account_id', '=', accountId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
    return rows.map((r) => ({ id: r.id, accountId: r.account_id, brand: r.brand, last4: r.last4, createdAt: r.created_at }));
  }

  // ---- purchases

  /**
   * Inserts the purchase with its first log lines and events, unless its key (manual) or its cause
   * (auto) is taken: the unique constraint decides, so two racing inserts make one purchase, and
   * the one already stored is returned.
   */
  async insertPurchase(p: NewPurchase, records: readonly Omit<AttemptLine, 'at'>[], events: readonly OutboxMessage[], trx: Trx): Promise<{ inserted: boolean; purchase: Purchase }> {
    const inserted = await trx
      .insertInto('purchases')
      .values({
        id: p.id,
        account_id: p.accountId,
        trigger: p.trigger,
        key: p.key,
        cause: p.cause,
        month: p.month,
        catalog_id: p.catalogId,
        plan_id: p.planId,
        pack_id: p.packId,
        pack_version: p.packVersion,
        credits: p.credits,
        amount_minor: p.amountMinor,
        currency: p.currency,
        payment_method_id: p.paymentMethodId,
        status: p.status,
        reason: p.reason,
        next_attempt_at: p.nextAttemptAt,
        created_at: p.createdAt,
        updated_at: p.createdAt,
      })
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) {
      await this.appendAttempts(p.id, records, p.createdAt, trx);
      await enqueueOutbox(trx, events);
      return { inserted: true, purchase: toPurchase(inserted) };
    }
    const stored = p.trigger === 'manual' && p.key !== null ? await this.purchaseByKey(p.accountId, p.key, trx) : p.cause !== null ? await this.purchaseByCause(p.cause, trx) : undefined;
    if (!stored) throw new Error(`purchase ${p.id} neither inserted nor found by its key or cause`);
    return { inserted: false, purchase: stored };
  }

  async purchase(id: string, db: Db = this.db, lock = false): Promise<Purchase | undefined> {
    const q = db.selectFrom('purchases').selectAll().where('id', '=', id);
    const row = await (lock ? q.forUpdate() : q).executeTakeFirst();
    return row && toPurchase(row);
  }

  async purchaseByKey(accountId: string, key: string, db: Db = this.db): Promise<Purchase | undefined> {
    const row = await db.selectFrom('purchases').selectAll().where('account_id', '=', accountId).where('key', '=', key).executeTakeFirst();
    return row && toPurchase(row);
  }

  async purchaseByCause(cause: string, db: Db = this.db): Promise<Purchase | undefined> {
    const row = await db.selectFrom('purchases').selectAll().where('cause', '=', cause).executeTakeFirst();
    return row && toPurchase(row);
  }

  /** An account's purchases, newest first, after the purchase `after` (the previous page's last). */
  async purchases(accountId: string, page: { limit: number; after?: string | undefined }): Promise<Purchase[]> {
    let q = this.db.selectFrom('purchases').selectAll().where('account_id', '=', accountId);
    if (page.after !== undefined) {
      const after = page.after;
      q = q.where((eb) =>
        eb(eb.refTuple('created_at', 'id'), '<', eb.selectFrom('purchases as c').select(['c.created_at', 'c.id']).where('c.id', '=', after).where('c.account_id', '=', accountId).$asTuple('created_at', 'id')),
      );
    }
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).execute();
    return rows.map(toPurchase);
  }

  /** Every log line of these purchases, in the order written. */
  async attempts(purchaseIds: readonly string[]): Promise<Map<string, AttemptLine[]>> {
    const out = new Map<string, AttemptLine[]>(purchaseIds.map((id) => [id, []]));
    if (purchaseIds.length === 0) return out;
    const rows = await this.db.selectFrom('attempts').selectAll().where('purchase_id', 'in', purchaseIds).orderBy('id').execute();
    for (const r of rows) out.get(r.purchase_id)?.push({ attempt: r.attempt, outcome: r.outcome, detail: r.detail, at: r.at });
    return out;
  }

  /** This month's auto-recharges of the account in this currency that succeeded or are in flight. */
  async monthSpending(accountId: string, month: string, currency: string, db: Db = this.db): Promise<bigint> {
    const row = await db
      .selectFrom('purchases')
      .select(sql<bigint>`coalesce(sum(amount_minor), 0)`.as('spent'))
      .where('account_id', '=', accountId)
      .where('trigger', '=', 'auto')
      .where('month', '=', month)
      .where('currency', '=', currency)
      .where('status', 'in', SPENDING)
      .executeTakeFirstOrThrow();
    return BigInt(row.spent);
  }

  /**
   * Purchases with work due by `now`, taken for `leaseMs`: their next look moves past the lease, so
   * other workers leave them alone meanwhile, and a worker that dies loses them after it.
   */
  async claimDue(now: Date, limit: number, leaseMs: number, onlyId?: string): Promise<Purchase[]> {
    const { rows } = await sql<Selectable<RechargeDatabase['purchases']>>`
      update purchases set next_attempt_at = ${new Date(now.getTime() + leaseMs)}
      where id in (
        select id from purchases
        where status in (${sql.join(ACTIVE)}) and next_attempt_at <= ${now} ${onlyId === undefined ? sql`` : sql`and id = ${onlyId}`}
        order by next_attempt_at
        limit ${limit}
        for update skip locked
      )
      returning *`.execute(this.db);
    return rows.map(toPurchase);
  }

  /** Looks at the purchase again at `until`, if it is still in `status`. */
  async postpone(id: string, status: string, until: Date): Promise<void> {
    await this.db.updateTable('purchases').set({ next_attempt_at: until }).where('id', '=', id).where('status', '=', status).execute();
  }

  async updatePurchase(id: string, patch: PurchasePatch, at: Date, trx: Trx): Promise<void> {
    await trx
      .updateTable('purchases')
      .set({
        ...(patch.status === undefined ? {} : { status: patch.status }),
        ...(patch.reason === undefined ? {} : { reason: patch.reason }),
        ...(patch.attempts === undefined ? {} : { attempts: patch.attempts }),
        ...(patch.attemptStartedAt === undefined ? {} : { attempt_started_at: patch.attemptStartedAt }),
        ...(patch.nextAttemptAt === undefined ? {} : { next_attempt_at: patch.nextAttemptAt }),
        ...(patch.paidAt === undefined ? {} : { paid_at: patch.paidAt }),
        ...(patch.grantedAt === undefined ? {} : { granted_at: patch.grantedAt }),
        updated_at: at,
      })
      .where('id', '=', id)
      .execute();
  }

  async appendAttempts(purchaseId: string, records: readonly Omit<AttemptLine, 'at'>[], at: Date, trx: Trx): Promise<void> {
    if (records.length === 0) return;
    await trx
      .insertInto('attempts')
      .values(records.map((r) => ({ purchase_id: purchaseId, attempt: r.attempt, outcome: r.outcome, detail: r.detail, at })))
      .execute();
  }
}
