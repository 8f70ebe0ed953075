import { CATALOG_PRICE_CHANGE_SUBJECT, CATALOG_PUBLISHED_SUBJECT, subject, type Namespace } from '@credence/contracts';
import type { Publisher } from '@credence/platform-messaging';
import { catalogEventMsgId, priceChangeMsgId, type PublishCatalogEvent } from '../../application/load-catalog/load-catalog.js';

/** The revision's notice, then its price-change announcement, each with its deterministic Nats-Msg-Id. */
export const catalogEventPublisher =
  (publisher: Publisher, ns: Namespace): PublishCatalogEvent =>
  async (event, priceChange) => {
    await publisher.publish(subject(ns, CATALOG_PUBLISHED_SUBJECT), Buffer.from(JSON.stringify(event)), { msgId: catalogEventMsgId(event) });
    if (priceChange) await publisher.publish(subject(ns, CATALOG_PRICE_CHANGE_SUBJECT), Buffer.from(JSON.stringify(priceChange)), { msgId: priceChangeMsgId(priceChange) });
  };
