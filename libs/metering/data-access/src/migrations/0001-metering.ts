import { sql, type Kysely, type Migration } from 'kysely';

/** Frozen once landed: a change is a new migration. Never imports app code. */
export const m0001Metering: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      -- The plan whose prices and limits apply; its row is also the account's lock for admission.
      create table subscriptions (
        account_id text primary key,
        catalog_id text not null,
        plan_id text not null,
        updated_at timestamptz not null default now()
      );

      -- An operator's temporary limits; a null limit keeps the plan's.
      create table limit_overrides (
        account_id text primary key,
        until timestamptz not null,
        generations_per_day int,
        credits_per_month bigint,
        concurrent_generations int
      );

      -- Every authorization answered, refusals included: the same key answers the same result.
      create table authorizations (
        account_id text not null,
        key text not null,
        hold_id text,
        catalog_id text,
        plan_id text,
        feature text,
        model text,
        estimate_credits bigint,
        price_version text,
        status text not null check (status in ('open', 'settled', 'failed', 'refused')),
        result jsonb not null,
        settlement jsonb,
        charged_credits bigint not null default 0,
        created_at timestamptz not null,
        expires_at timestamptz,
        settled_at timestamptz,
        unique (account_id, key),
        unique (hold_id)
      );
      create index authorizations_by_day on authorizations (account_id, created_at) where hold_id is not null;
      create index authorizations_open on authorizations (account_id) where status = 'open';
      create index authorizations_settled on authorizations (account_id, settled_at) where status = 'settled';

      -- Post-paid usage forwarded to the ledger, once per key.
      create table usage_records (
        account_id text not null,
        key text not null,
        credits bigint not null,
        price_version text,
        occurred_at timestamptz not null,
        result jsonb not null,
        primary key (account_id, key)
      );
      create index usage_records_by_month on usage_records (account_id, occurred_at);

      -- Stream messages that can never be applied, kept with their bytes for an operator.
      create table rejects (
        id bigserial primary key,
        subject text not null,
        stream_seq bigint,
        reason text not null,
        detail text not null,
        raw bytea not null,
        created_at timestamptz not null default now()
      );
    `.execute(db);
  },
};

export const METERING_MIGRATIONS = { '0001-metering': m0001Metering };
