import type { Clock } from '@credence/kernel';
import type { Purchase, RechargeQueries } from '@credence/recharge-data-access';
import { onGranted, onPaymentAnswer, startAttempt, type PaymentAnswer, type PaymentPolicy } from '@credence/recharge-domain';
import type { LedgerClient } from '../../clients/ledger-client.js';
import type { PaymentGateway } from '../../gateway/payment-gateway.js';
import { chargeKey, stateOf, type PurchaseBook } from '../purchase-book.js';

export interface ProcessOptions {
  readonly batchSize: number;
  /** Taken purchases are left alone by other workers this long (WORK_LEASE_MS). */
  readonly leaseMs: number;
}

/**
 * Moves purchases along: submits due attempts, asks the provider about unconfirmed ones, grants
 * the paid ones. Run by the scheduler for whatever is due, and at once for a purchase just made.
 * Each step is written before the call it leads to (the attempt before its charge), so a worker
 * that dies anywhere leaves a purchase another worker can finish under the same keys.
 */
export class ProcessPurchases {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly queries: RechargeQueries,
    private readonly book: PurchaseBook,
    private readonly gateway: PaymentGateway,
    private readonly ledger: LedgerClient,
    private readonly clock: Clock,
    private readonly policy: PaymentPolicy,
    private readonly options: ProcessOptions,
    private readonly onError: (what: string, error: unknown) => void,
  ) {}

  /** One scheduler pass over the purchases with work due; returns how many it took. */
  async runOnce(): Promise<number> {
    const due = await this.queries.claimDue(new Date(this.clock.now()), this.options.batchSize, this.options.leaseMs);
    await Promise.all(due.map((p) => this.advance(p).catch((e: unknown) => this.onError(`purchase ${p.id}`, e))));
    return due.length;
  }

  /** Works on one purchase now, if it has work due and no other worker holds it. */
  async now(purchaseId: string): Promise<void> {
    const [p] = await this.queries.claimDue(new Date(this.clock.now()), 1, this.options.leaseMs, purchaseId);
    if (p) await this.advance(p);
  }

  /** `now()` without waiting for it; `drain()` waits for every such call (at shutdown). */
  kick(purchaseId: string): void {
    const work = this.now(purchaseId).catch((e: unknown) => this.onError(`purchase ${purchaseId}`, e));
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /**
   * The provider's answer about attempt `attempt`, however it came (a reply, a poll, a callback).
   * Resolves to the purchase after the step, or undefined when the answer changed nothing.
   */
  async answer(purchaseId: string, attempt: number, answer: PaymentAnswer): Promise<{ purchase: Purchase; resubmit: boolean } | undefined> {
    const r = await this.book.step(purchaseId, (p, now) => (p.attempts === attempt ? onPaymentAnswer(stateOf(p), answer, now, this.policy) : undefined));
    return r && { purchase: r.purchase, resubmit: r.transition.resubmit };
  }

  private async advance(p: Purchase): Promise<void> {
    switch (p.status) {
      case 'pending': {
        const started = await this.book.step(p.id, (cur, now) => (cur.status === 'pending' ? startAttempt(stateOf(cur), now, this.policy) : undefined));
        if (started) await this.charge(started.purchase);
        return;
      }
      case 'processing': {
        const r = await this.answer(p.id, p.attempts, await this.gateway.status(chargeKey(p.id, p.attempts)));
        if (r?.resubmit) await this.charge(r.purchase);
        else if (r?.purchase.status === 'paid') await this.grant(r.purchase);
        return;
      }
      case 'paid':
        return this.grant(p);
      default:
        return;
    }
  }

  private async charge(p: Purchase): Promise<void> {
    const paymentMethodId = p.paymentMethodId;
    const amountMinor = p.amountMinor;
    const currency = p.currency;
    if (paymentMethodId === null || amountMinor === null || currency === null) throw new Error(`purchase ${p.id} has nothing to charge`);
    const answer = await this.gateway.charge({ idempotencyKey: chargeKey(p.id, p.attempts), paymentMethodId, accountId: p.accountId, amountMinor, currency, offSession: p.trigger === 'auto' });
    const r = await this.answer(p.id, p.attempts, answer);
    if (r?.purchase.status === 'paid') await this.grant(r.purchase);
  }

  /** Purchased credits never expire; the purchase id is the grant's key, so a repeat is applied once. */
  private async grant(p: Purchase): Promise<void> {
    if (p.credits === null) throw new Error(`purchase ${p.id} has no credits to grant`);
    const answer = await this.ledger.grant({ key: p.id, accountId: p.accountId, amount: p.credits, reason: `recharge: pack ${p.packId} (${p.trigger})` });
    if (answer.kind === 'applied') {
      await this.book.step(p.id, (cur) => onGranted(stateOf(cur)));
      return;
    }
    // Still paid: the scheduler tries again once the lease has passed. A refusal or a key conflict
    // can never succeed by itself and needs an operator: say so loudly.
    if (answer.kind !== 'unavailable') this.onError(`grant of purchase ${p.id}`, new Error(`the ledger answered ${JSON.stringify(answer)}`));
    await this.queries.postpone(p.id, 'paid', new Date(this.clock.now() + this.options.leaseMs));
  }
}
