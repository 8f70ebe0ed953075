import { sql, type Kysely, type Selectable } from 'kysely';
import type { RechargeDatabase } from './schema.js';

export type SandboxBehaviour = 'succeed' | 'decline' | 'authenticate' | 'timeout';
export type SandboxChargeStatus = 'processing' | 'succeeded' | 'declined' | 'requires_authentication';

export interface SandboxMethod {
  readonly id: string;
  readonly accountId: string;
  readonly cardNumber: string;
  readonly behaviour: SandboxBehaviour;
  readonly createdAt: Date;
}

export interface SandboxCharge {
  readonly id: string;
  readonly idempotencyKey: string;
  readonly paymentMethodId: string;
  readonly accountId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly status: SandboxChargeStatus;
  readonly declineCode: string | null;
  readonly createdAt: Date;
  readonly settleAt: Date;
  readonly webhookAttempts: number;
}

export type NewSandboxCharge = Omit<SandboxCharge, 'webhookAttempts'> & { readonly settlesTo: Exclude<SandboxChargeStatus, 'processing'> };

const toCharge = (r: Selectable<RechargeDatabase['sandbox_charges']>): SandboxCharge => ({
  id: r.id,
  idempotencyKey: r.idempotency_key,
  paymentMethodId: r.payment_method_id,
  accountId: r.account_id,
  amountMinor: BigInt(r.amount_minor),
  currency: r.currency,
  status: r.status as SandboxChargeStatus,
  declineCode: r.decline_code,
  createdAt: r.created_at,
  settleAt: r.settle_at,
  webhookAttempts: r.webhook_attempts,
});

/** The sandbox payment provider's own tables: its test cards and its charges, one per idempotency key. */
export class SandboxQueries {
  constructor(readonly db: Kysely<RechargeDatabase>) {}

  async addMethod(m: SandboxMethod): Promise<void> {
    await this.db
      .insertInto('sandbox_payment_methods')
      .values({ id: m.id, account_id: m.accountId, card_number: m.cardNumber, behaviour: m.behaviour, created_at: m.createdAt })
      .execute();
  }

  async method(id: string): Promise<SandboxMethod | undefined> {
    const r = await this.db.selectFrom('sandbox_payment_methods').selectAll().where('id', '=', id).executeTakeFirst();
    return r && { id: r.id, accountId: r.account_id, cardNumber: r.card_number, behaviour: r.behaviour as SandboxBehaviour, createdAt: r.created_at };
  }

  /** A new charge, or the one already made under this idempotency key (never a second one). */
  async createCharge(c: NewSandboxCharge): Promise<{ created: boolean; charge: SandboxCharge }> {
    const created = await this.db
      .insertInto('sandbox_charges')
      .values({
        id: c.id,
        idempotency_key: c.idempotencyKey,
        payment_method_id: c.paymentMethodId,
        account_id: c.accountId,
        amount_minor: c.amountMinor,
        currency: c.currency,
        status: c.status,
        settles_to: c.settlesTo,
        decline_code: c.declineCode,
        created_at: c.createdAt,
        settle_at: c.settleAt,
        settled_at: c.status === 'processing' ? null : c.createdAt,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (created) return { created: true, charge: toCharge(created) };
    const stored = await this.chargeByKey(c.idempotencyKey);
    if (!stored) throw new Error(`sandbox charge ${c.idempotencyKey} neither created nor found`);
    return { created: false, charge: stored };
  }

  async chargeByKey(idempotencyKey: string): Promise<SandboxCharge | undefined> {
    const r = await this.db.selectFrom('sandbox_charges').selectAll().where('idempotency_key', '=', idempotencyKey).executeTakeFirst();
    return r && toCharge(r);
  }

  async chargesOf(accountId: string): Promise<SandboxCharge[]> {
    const rows = await this.db.selectFrom('sandbox_charges').selectAll().where('account_id', '=', accountId).orderBy('created_at').execute();
    return rows.map(toCharge);
  }

  /**
   * Settles the processing charges due by `now` to what their card does; those that are settled
   * get a webhook due `webhookDelayMs` later (none when `webhookDelayMs` is null: callbacks off).
   */
  async settleDue(now: Date, limit: number, webhookDelayMs: number | null): Promise<SandboxCharge[]> {
    const due = webhookDelayMs === null ? null : new Date(now.getTime() + webhookDelayMs);
    const { rows } = await sql<Selectable<RechargeDatabase['sandbox_charges']>>`
      update sandbox_charges set status = settles_to, settled_at = ${now}, webhook_due_at = ${due}
      where id in (
        select id from sandbox_charges where status = 'processing' and settle_at <= ${now}
        order by settle_at limit ${limit} for update skip locked
      )
      returning *`.execute(this.db);
    return rows.map(toCharge);
  }

  /** Webhooks due by `now`, taken for `leaseMs` (a sender that dies loses them after it). */
  async claimWebhooks(now: Date, limit: number, leaseMs: number): Promise<SandboxCharge[]> {
    const { rows } = await sql<Selectable<RechargeDatabase['sandbox_charges']>>`
      update sandbox_charges set webhook_due_at = ${new Date(now.getTime() + leaseMs)}, webhook_attempts = webhook_attempts + 1
      where id in (
        select id from sandbox_charges where webhook_delivered_at is null and webhook_due_at <= ${now}
        order by webhook_due_at limit ${limit} for update skip locked
      )
      returning *`.execute(this.db);
    return rows.map(toCharge);
  }

  /** Delivered, or given up (`nextAt` null): either way no more deliveries. */
  async webhookDone(id: string, at: Date, delivered: boolean, nextAt: Date | null): Promise<void> {
    await this.db
      .updateTable('sandbox_charges')
      .set(delivered || nextAt === null ? { webhook_delivered_at: delivered ? at : null, webhook_due_at: null } : { webhook_due_at: nextAt })
      .where('id', '=', id)
      .execute();
  }
}
