/** Core NATS request/reply (not stored): price one usage with the catalog in force. */
export const CATALOG_QUOTE_SUBJECT = 'catalog.v1.quote';
/** A catalog revision was stored; running services refresh their copy. */
export const CATALOG_PUBLISHED_SUBJECT = 'catalog.v1.catalog.published';
/** Every catalog.v1.catalog.published event, replayable. */
export const CATALOG_EVENTS_STREAM = 'CATALOG';

/** The body of `catalog.v1.catalog.published`; its `Nats-Msg-Id` is `<catalogId>#<revision>`. */
export interface CatalogPublishedEvent {
  readonly catalogId: string;
  readonly revision: number;
  readonly publishedAt: string;
}

/**
 * A stored revision adds versions that take effect later: prices change on `effectiveAt`.
 * `Nats-Msg-Id` is `<catalogId>#<revision>#announced`; published on stream CATALOG.
 */
export const CATALOG_PRICE_CHANGE_SUBJECT = 'catalog.v1.price_change.announced';

export interface PriceChangeAnnouncedEvent {
  readonly catalogId: string;
  readonly revision: number;
  readonly announcedAt: string;
  readonly changes: ReadonlyArray<{ readonly kind: 'plan' | 'pack' | 'rate_card'; readonly id: string; readonly versionId: string; readonly effectiveAt: string }>;
}

/** Core NATS request/reply: may this plan buy this pack, and at what price (the version in force now)? */
export const CATALOG_PACK_OFFER_SUBJECT = 'catalog.v1.pack.offer';

/** The request is a `PackOfferDto` (catalog/dtos.ts). */
export type PackOfferReply =
  | {
      readonly status: 'offered';
      readonly catalogId: string;
      readonly revision: number;
      readonly packId: string;
      readonly versionId: string;
      readonly credits: string;
      readonly priceMinor: string;
      readonly currency: string;
      /** The default monthly auto-recharge limit in this currency (50 EUR or the catalog's equivalent), minor units. */
      readonly defaultMonthlyLimitMinor: string;
    }
  | { readonly status: 'refused'; readonly reason: 'plan_cannot_purchase' | 'unknown_pack' | 'unknown_plan' | 'unknown_catalog' | 'no_price_in_currency'; readonly detail?: string }
  | { readonly status: 'invalid'; readonly issues: ReadonlyArray<{ field: string; rule: string; message: string }> };
