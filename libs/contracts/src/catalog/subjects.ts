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
