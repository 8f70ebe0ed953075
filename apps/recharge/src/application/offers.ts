import type { PackOfferReply, PurchaseRefusal } from '@credence/contracts';
import type { Unavailable } from '@credence/platform-runtime';
import type { PaymentMethod, RechargeQueries } from '@credence/recharge-data-access';
import type { CatalogClient } from '../clients/catalog-client.js';
import type { MeteringClient, Subscription } from '../clients/metering-client.js';

export type Offered = Extract<PackOfferReply, { status: 'offered' }>;

export type OfferResult =
  | { readonly kind: 'offered'; readonly subscription: Subscription; readonly offer: Offered; readonly method: PaymentMethod }
  | { readonly kind: 'refused'; readonly reason: PurchaseRefusal; readonly detail?: string }
  | Unavailable;

export type NotOffered =
  | { readonly status: 'refused'; readonly reason: PurchaseRefusal; readonly detail?: string }
  | { readonly status: 'unavailable'; readonly detail: string };

/** A refusal or an outage as a use case answers it. */
export const notOffered = (r: Exclude<OfferResult, { kind: 'offered' }>): NotOffered =>
  r.kind === 'unavailable' ? { status: 'unavailable', detail: r.detail } : r.detail === undefined ? { status: 'refused', reason: r.reason } : { status: 'refused', reason: r.reason, detail: r.detail };

/**
 * What the account may buy now, and with what: its plan (metering), that plan's offer of the pack
 * (catalog) and a saved payment method, asked at every purchase so that a plan change or a price
 * change applies at once.
 */
export class Offers {
  constructor(
    private readonly metering: MeteringClient,
    private readonly catalog: CatalogClient,
    private readonly queries: RechargeQueries,
  ) {}

  /** `paymentMethodId` null or undefined: the account's default (newest) one. */
  async resolve(accountId: string, packId: string, currency: string | undefined | null, paymentMethodId: string | undefined | null): Promise<OfferResult> {
    const subscription = await this.metering.subscription(accountId);
    if (subscription === undefined) return { kind: 'refused', reason: 'no_subscription', detail: 'the account has no plan' };
    if ('kind' in subscription) return subscription;
    const offer = await this.catalog.packOffer({ catalogId: subscription.catalogId, planId: subscription.planId, packId, ...(currency ? { currency } : {}) });
    switch (offer.status) {
      case 'unavailable':
        return offer;
      case 'invalid':
        return { kind: 'refused', reason: 'unknown_pack', detail: offer.issues.map((i) => i.message).join('; ') };
      case 'refused': {
        // The account's plan or catalog is gone from the catalog: as good as no plan.
        const reason = offer.reason === 'unknown_plan' || offer.reason === 'unknown_catalog' ? 'no_subscription' : offer.reason;
        return offer.detail === undefined ? { kind: 'refused', reason } : { kind: 'refused', reason, detail: offer.detail };
      }
      case 'offered': {
        const methods = await this.queries.paymentMethods(accountId);
        const method = paymentMethodId ? methods.find((m) => m.id === paymentMethodId) : methods[0];
        if (!method) return { kind: 'refused', reason: 'no_payment_method', detail: paymentMethodId ?? 'the account has no saved payment method' };
        return { kind: 'offered', subscription, offer, method };
      }
    }
  }
}
