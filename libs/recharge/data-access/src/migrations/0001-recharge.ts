import { sql, type Kysely, type Migration } from 'kysely';

/** Frozen once landed: a change is a new migration. Never imports app code. */
export const m0001Recharge: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      -- One row per account that ever configured auto-recharge; its row is the account's lock for
      -- the monthly-limit check (two workers never both pass it).
      create table settings (
        account_id text primary key,
        enabled boolean not null,
        pack_id text not null,
        threshold bigint not null check (threshold >= 0),
        monthly_limit_minor bigint check (monthly_limit_minor > 0),
        currency text,
        payment_method_id text,
        -- When auto-recharge was last switched on: crossings before it never recharge.
        enabled_since timestamptz,
        consecutive_failures int not null default 0,
        disabled_reason text,
        -- Bumped by every save: the key of the ledger threshold command it needs.
        version int not null,
        -- The version whose threshold the ledger has applied; behind version = still to configure.
        ledger_threshold_version int,
        updated_at timestamptz not null
      );
      create index settings_threshold_behind on settings (account_id) where ledger_threshold_version is distinct from version;

      -- Payment methods saved with the gateway (its ids), newest = the account's default.
      create table payment_methods (
        id text primary key,
        account_id text not null,
        brand text not null,
        last4 text not null,
        created_at timestamptz not null
      );
      create index payment_methods_by_account on payment_methods (account_id, created_at desc);

      create table purchases (
        id text primary key,
        account_id text not null,
        trigger text not null check (trigger in ('manual', 'auto')),
        -- manual: the caller's idempotency key; auto: the ledger's BalanceLow event id. Unique: one
        -- purchase per key, one recharge per crossing, enforced here rather than by a prior read.
        key text,
        cause text unique,
        -- auto: the UTC month (YYYY-MM) of the crossing, the period of the spending limit.
        month text,
        catalog_id text,
        plan_id text,
        pack_id text not null,
        pack_version text,
        credits bigint check (credits > 0),
        amount_minor bigint check (amount_minor > 0),
        currency text,
        payment_method_id text,
        status text not null check (status in ('pending', 'processing', 'paid', 'granted', 'abandoned', 'skipped')),
        reason text,
        attempts int not null default 0,
        attempt_started_at timestamptz,
        next_attempt_at timestamptz,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        paid_at timestamptz,
        granted_at timestamptz,
        unique (account_id, key),
        check ((trigger = 'manual') = (key is not null)),
        check ((trigger = 'auto') = (cause is not null and month is not null)),
        check (status not in ('pending', 'processing', 'paid') or (next_attempt_at is not null and credits is not null and amount_minor is not null and payment_method_id is not null))
      );
      create index purchases_due on purchases (next_attempt_at) where status in ('pending', 'processing', 'paid');
      create index purchases_by_account on purchases (account_id, created_at desc, id desc);
      create index purchases_auto_spending on purchases (account_id, month) where trigger = 'auto' and status in ('pending', 'processing', 'paid', 'granted');

      -- Append-only: every step of every purchase, never updated.
      create table attempts (
        id bigserial primary key,
        purchase_id text not null references purchases (id),
        attempt int not null,
        outcome text not null,
        detail text,
        at timestamptz not null
      );
      create index attempts_by_purchase on attempts (purchase_id, id);

      -- RechargeEvents written in the transaction of the change they report, relayed to stream
      -- RECHARGE with Nats-Msg-Id = id.
      create table outbox (
        seq bigserial primary key,
        id text not null unique,
        subject text not null,
        body jsonb not null,
        created_at timestamptz not null,
        published_at timestamptz
      );
      create index outbox_unpublished on outbox (seq) where published_at is null;

      -- The sandbox payment provider's own state (GATEWAY=sandbox): test cards and their charges.
      create table sandbox_payment_methods (
        id text primary key,
        account_id text not null,
        card_number text not null,
        behaviour text not null check (behaviour in ('succeed', 'decline', 'authenticate', 'timeout')),
        created_at timestamptz not null
      );

      create table sandbox_charges (
        id text primary key,
        idempotency_key text not null unique,
        payment_method_id text not null references sandbox_payment_methods (id),
        account_id text not null,
        amount_minor bigint not null,
        currency text not null,
        status text not null check (status in ('processing', 'succeeded', 'declined', 'requires_authentication')),
        -- What a processing charge settles to at settle_at.
        settles_to text not null check (settles_to in ('succeeded', 'declined', 'requires_authentication')),
        decline_code text,
        created_at timestamptz not null,
        settle_at timestamptz not null,
        settled_at timestamptz,
        webhook_due_at timestamptz,
        webhook_attempts int not null default 0,
        webhook_delivered_at timestamptz
      );
      create index sandbox_charges_to_settle on sandbox_charges (settle_at) where status = 'processing';
      create index sandbox_webhooks_due on sandbox_charges (webhook_due_at) where webhook_due_at is not null and webhook_delivered_at is null;
    `.execute(db);
  },
};
