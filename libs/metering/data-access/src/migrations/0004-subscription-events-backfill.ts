import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Frozen once landed. Subscriptions set before the outbox existed never produced a SubscriptionSet:
 * without one the notifier cannot tell those accounts about their catalog's price changes. Same id
 * shape as the live events (`<account>#subscription#<catalog>#<plan>#<at>`), so a replay adds nothing.
 */
export const m0004SubscriptionEventsBackfill: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      insert into outbox (id, subject, payload)
      select s.account_id || '#subscription#' || s.catalog_id || '#' || s.plan_id || '#' || e.at,
             'metering.v1.subscription.set',
             jsonb_build_object(
               'id', s.account_id || '#subscription#' || s.catalog_id || '#' || s.plan_id || '#' || e.at,
               'type', 'SubscriptionSet', 'accountId', s.account_id, 'at', e.at,
               'catalogId', s.catalog_id, 'planId', s.plan_id)
      from subscriptions s
      cross join lateral (select to_char(s.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at) e
      on conflict (id) do nothing
    `.execute(db);
  },
};
