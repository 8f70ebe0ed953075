import { m0001Metering } from './0001-metering.js';
import { m0002ApiKeys } from './0002-api-keys.js';
import { m0003Outbox } from './0003-outbox.js';
import { m0004SubscriptionEventsBackfill } from './0004-subscription-events-backfill.js';

export const METERING_MIGRATIONS = {
  '0001-metering': m0001Metering,
  '0002-api-keys': m0002ApiKeys,
  '0003-outbox': m0003Outbox,
  '0004-subscription-events-backfill': m0004SubscriptionEventsBackfill,
};
