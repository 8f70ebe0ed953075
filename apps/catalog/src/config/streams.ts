import { CATALOG_EVENTS_STREAM, CATALOG_PRICE_CHANGE_SUBJECT, CATALOG_PUBLISHED_SUBJECT, streamName, subject, type Namespace } from '@credence/contracts';
import type { StreamSpec } from '@credence/platform-messaging';
import type { CatalogConfig } from './catalog-config.js';

const DAY_MS = 86_400_000;

/**
 * Catalog revisions as they are stored. Postgres keeps every revision; the stream only tells
 * running services to refresh, so when full it drops the oldest notices rather than refuse a new one.
 */
export const eventStream = (ns: Namespace, c: CatalogConfig): StreamSpec => ({
  name: streamName(ns, CATALOG_EVENTS_STREAM),
  subjects: [subject(ns, CATALOG_PUBLISHED_SUBJECT), subject(ns, CATALOG_PRICE_CHANGE_SUBJECT)],
  maxAgeMs: 365 * DAY_MS,
  duplicateWindowMs: c.STREAM_DUPLICATE_WINDOW_MS,
  maxBytes: c.EVENT_STREAM_MAX_BYTES,
  // A price-change announcement lists every new version: room for hundreds.
  maxMsgSize: 64 * 1024,
  discard: 'old',
});
