import { RECHARGE_EVENT_SUBJECTS, type RechargeEvent, type RechargeEventType } from '@credence/contracts';
import type { Clock } from '@credence/kernel';
import { enqueueOutbox, type OutboxMessage } from '@credence/platform-messaging';
import type { NewPurchase, Purchase, RechargeQueries, Trx } from '@credence/recharge-data-access';
import { afterAutoRecharge, type FailurePolicy, type PurchaseFact, type PurchaseState, type PurchaseStatus, type Transition } from '@credence/recharge-domain';

/** Attempt n of a purchase is charged under this key: a retry of the same attempt is the same charge. */
export const chargeKey = (purchaseId: string, attempt: number): string => `${purchaseId}:${attempt}`;

export function parseChargeKey(key: string): { purchaseId: string; attempt: number } | undefined {
  const m = /^(.+):([1-9][0-9]{0,8})$/.exec(key);
  return m ? { purchaseId: m[1]!, attempt: Number(m[2]) } : undefined;
}

export const stateOf = (p: Purchase): PurchaseState => ({
  status: p.status as PurchaseStatus,
  trigger: p.trigger,
  attempts: p.attempts,
  attemptStartedAt: p.attemptStartedAt?.getTime() ?? null,
  reason: p.reason,
});

type Fact = PurchaseFact | { readonly type: 'AutoRechargeDisabled'; readonly attempt: number; readonly reason: string };

/** The RechargeEvent of a fact about a purchase; its id is deterministic, so writing it twice keeps one. */
export function eventOf(p: Pick<Purchase, 'id' | 'accountId' | 'trigger' | 'packId' | 'credits' | 'amountMinor' | 'currency' | 'cause'>, fact: Fact, at: Date): OutboxMessage {
  const type: RechargeEventType = fact.type;
  const payload: RechargeEvent = {
    id: `${p.id}#${type}#${fact.attempt}`,
    type,
    accountId: p.accountId,
    at: at.toISOString(),
    purchaseId: p.id,
    trigger: p.trigger,
    packId: p.packId,
    credits: p.credits?.toString() ?? null,
    amountMinor: p.amountMinor?.toString() ?? null,
    currency: p.currency,
    attempt: fact.attempt,
    cause: p.cause,
    reason: 'reason' in fact ? fact.reason : null,
  };
  return { id: payload.id, subject: RECHARGE_EVENT_SUBJECTS[type], payload };
}

const FINAL_FOR_FAILURES: ReadonlySet<string> = new Set(['granted', 'abandoned']);

/**
 * Writes purchases and their steps: the state, the attempts log and the events of a step go in one
 * transaction, under the purchase's row lock, computed from the row as it is then. So a callback,
 * a poll and a retry racing on one purchase apply at most one step each, in turn.
 */
export class PurchaseBook {
  constructor(
    private readonly queries: RechargeQueries,
    private readonly clock: Clock,
    private readonly failures: FailurePolicy,
  ) {}

  /** A new purchase with its first log lines and events; the stored one when its key or cause is taken. */
  async create(p: NewPurchase, first: Pick<Transition, 'records' | 'facts'>, trx: Trx): Promise<{ inserted: boolean; purchase: Purchase }> {
    const r = await this.queries.insertPurchase(p, first.records, first.facts.map((f) => eventOf(p, f, p.createdAt)), trx);
    if (r.inserted && p.trigger === 'auto' && FINAL_FOR_FAILURES.has(p.status)) await this.autoRechargeEnded(r.purchase, p.status as 'abandoned', p.createdAt, trx);
    return r;
  }

  /** Undefined when `compute` finds nothing to do on the row as it is now (the purchase moved on). */
  async step(purchaseId: string, compute: (p: Purchase, now: number) => Transition | undefined): Promise<{ purchase: Purchase; transition: Transition } | undefined> {
    return this.queries.transaction(async (trx) => {
      const p = await this.queries.purchase(purchaseId, trx, true);
      if (!p) return undefined;
      const now = this.clock.now();
      const t = compute(p, now);
      if (!t) return undefined;
      const at = new Date(now);
      await this.queries.updatePurchase(
        p.id,
        {
          status: t.status,
          reason: t.reason,
          attempts: t.attempts,
          attemptStartedAt: t.attemptStartedAt === null ? null : new Date(t.attemptStartedAt),
          nextAttemptAt: t.nextAttemptAt === null ? null : new Date(t.nextAttemptAt),
          ...(t.status === 'paid' && p.status !== 'paid' ? { paidAt: at } : {}),
          ...(t.status === 'granted' ? { grantedAt: at } : {}),
        },
        at,
        trx,
      );
      await this.queries.appendAttempts(p.id, t.records, at, trx);
      await enqueueOutbox(trx, t.facts.map((f) => eventOf(p, f, at)));
      const after: Purchase = { ...p, status: t.status, reason: t.reason, attempts: t.attempts, updatedAt: at };
      if (p.trigger === 'auto' && t.status !== p.status && FINAL_FOR_FAILURES.has(t.status)) await this.autoRechargeEnded(after, t.status as 'granted' | 'abandoned', at, trx);
      return { purchase: after, transition: t };
    });
  }

  /** Counts consecutive failures of the account's auto-recharge and switches it off after too many. */
  private async autoRechargeEnded(p: Purchase, outcome: 'granted' | 'abandoned', at: Date, trx: Trx): Promise<void> {
    const s = await this.queries.settings(p.accountId, trx, true);
    if (!s) return;
    const next = afterAutoRecharge(s.consecutiveFailures, outcome, this.failures);
    const disable = next.disable && s.enabled;
    await this.queries.saveSettings(
      {
        ...s,
        consecutiveFailures: next.consecutiveFailures,
        ...(disable ? { enabled: false, disabledReason: 'repeated_failures', version: s.version + 1, updatedAt: at } : {}),
      },
      trx,
    );
    if (disable) await enqueueOutbox(trx, [eventOf(p, { type: 'AutoRechargeDisabled', attempt: p.attempts, reason: 'repeated_failures' }, at)]);
  }
}
