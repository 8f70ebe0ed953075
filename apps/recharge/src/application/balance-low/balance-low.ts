import { AUTO_RECHARGE_THRESHOLD, type LedgerEventEnvelope } from '@credence/contracts';
import type { Clock } from '@credence/kernel';
import type { RechargeQueries } from '@credence/recharge-data-access';
import { crossingRecharges, exceedsMonthlyLimit, refusedBeforePayment, skippedForLimit, utcMonth, type Transition } from '@credence/recharge-domain';
import { newPurchaseId } from '../buy-pack/buy-pack.js';
import type { Offers } from '../offers.js';
import type { ProcessPurchases } from '../process-purchases/process-purchases.js';
import type { PurchaseBook } from '../purchase-book.js';

/** done: recorded (or nothing to do) and safe to ack; retry: an upstream was out; invalid: never readable. */
export type CrossingDisposition = { readonly kind: 'done'; readonly purchaseId?: string } | { readonly kind: 'retry'; readonly detail: string } | { readonly kind: 'invalid'; readonly detail: string };

type BalanceLow = LedgerEventEnvelope & { readonly data: { readonly threshold: string; readonly level: string; readonly available: string } };

function read(bytes: Uint8Array): BalanceLow | string {
  let e: Partial<BalanceLow>;
  try {
    e = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<BalanceLow>;
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  const d = e.data as Partial<BalanceLow['data']> | undefined;
  if (typeof e.id !== 'string' || typeof e.accountId !== 'string' || typeof e.at !== 'string' || !Number.isFinite(Date.parse(e.at))) return 'not a ledger event envelope';
  if (e.type !== 'BalanceLow' || typeof d?.threshold !== 'string') return `not a BalanceLow event: ${String(e.type)}`;
  return e as BalanceLow;
}

/**
 * A `ledger.v1.balance.low` crossing of the `auto-recharge` threshold buys the account's chosen
 * pack, once. The crossing's event id is the purchase's `cause`, unique in Postgres: a second
 * delivery, or a second worker, finds it taken and buys nothing. The monthly limit is checked
 * under the account's settings row lock, so two crossings never both pass it.
 */
export class HandleBalanceLow {
  constructor(
    private readonly queries: RechargeQueries,
    private readonly book: PurchaseBook,
    private readonly offers: Offers,
    private readonly processing: ProcessPurchases,
    private readonly clock: Clock,
  ) {}

  async execute(bytes: Uint8Array): Promise<CrossingDisposition> {
    const e = read(bytes);
    if (typeof e === 'string') return { kind: 'invalid', detail: e };
    // Other thresholds (the notifier's, an operator's) are not recharge's business.
    if (e.data.threshold !== AUTO_RECHARGE_THRESHOLD) return { kind: 'done' };
    const crossedAt = Date.parse(e.at);
    const settings = await this.queries.settings(e.accountId);
    if (!crossingRecharges(settings && { enabled: settings.enabled, enabledSince: settings.enabledSince?.getTime() ?? null }, crossedAt) || !settings) return { kind: 'done' };
    if (await this.queries.purchaseByCause(e.id)) return { kind: 'done' };

    const offered = await this.offers.resolve(e.accountId, settings.packId, settings.currency, settings.paymentMethodId);
    if (offered.kind === 'unavailable') return { kind: 'retry', detail: offered.detail };
    const month = utcMonth(crossedAt);
    const now = new Date(this.clock.now());

    const created = await this.queries.transaction(async (trx) => {
      const s = await this.queries.settings(e.accountId, trx, true);
      // Switched off (or on again later) since the read above.
      if (!s || !crossingRecharges({ enabled: s.enabled, enabledSince: s.enabledSince?.getTime() ?? null }, crossedAt)) return undefined;
      const base = { id: newPurchaseId(), accountId: e.accountId, trigger: 'auto' as const, key: null, cause: e.id, month, packId: s.packId, createdAt: now };
      if (offered.kind === 'refused') {
        // Told once, like any failed recharge: the plan may no longer buy the pack, the card is gone...
        const first = refusedBeforePayment(offered.reason);
        const none = { catalogId: null, planId: null, packVersion: null, credits: null, amountMinor: null, currency: null, paymentMethodId: null };
        return this.book.create({ ...base, ...none, status: first.status, reason: first.reason, nextAttemptAt: null }, first, trx);
      }
      const { subscription, offer, method } = offered;
      const price = BigInt(offer.priceMinor);
      const limit = s.currency === offer.currency && s.monthlyLimitMinor !== null ? s.monthlyLimitMinor : BigInt(offer.defaultMonthlyLimitMinor);
      const spent = await this.queries.monthSpending(e.accountId, month, offer.currency, trx);
      const over = exceedsMonthlyLimit(spent, price, limit);
      const first: Pick<Transition, 'status' | 'reason' | 'records' | 'facts' | 'nextAttemptAt'> = over
        ? skippedForLimit(`${spent} + ${price} > ${limit} ${offer.currency} in ${month}`)
        : { status: 'pending', reason: null, nextAttemptAt: now.getTime(), records: [], facts: [] };
      return this.book.create(
        {
          ...base,
          catalogId: subscription.catalogId,
          planId: subscription.planId,
          packVersion: offer.versionId,
          credits: BigInt(offer.credits),
          amountMinor: price,
          currency: offer.currency,
          paymentMethodId: method.id,
          status: first.status,
          reason: first.reason,
          nextAttemptAt: first.nextAttemptAt === null ? null : new Date(first.nextAttemptAt),
        },
        first,
        trx,
      );
    });
    if (!created?.inserted) return { kind: 'done' };
    if (created.purchase.status === 'pending') this.processing.kick(created.purchase.id);
    return { kind: 'done', purchaseId: created.purchase.id };
  }
}
