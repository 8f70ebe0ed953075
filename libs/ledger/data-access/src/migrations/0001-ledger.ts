import { sql, type Kysely, type Migration } from 'kysely';

/** Frozen once landed: a change is a new migration. Never imports app code. */
export const m0001Ledger: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      create table events (
        seq bigserial primary key,
        event_id text not null unique,
        account_id text not null,
        type text not null,
        command_key text not null,
        occurred_at timestamptz not null,
        recorded_at timestamptz not null default clock_timestamp(),
        balance_after bigint not null,
        data jsonb not null
      );
      create index events_account_seq on events (account_id, seq);
      create index events_occurred_at on events (occurred_at);

      -- The log is append-only by construction: no role can change or remove a row through SQL.
      create function events_are_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'the ledger event log is append-only: % is refused', tg_op
          using errcode = 'insufficient_privilege';
      end $$;
      create trigger events_no_update before update or delete on events
        for each row execute function events_are_append_only();
      create trigger events_no_truncate before truncate on events
        for each statement execute function events_are_append_only();

      -- One row per command ever applied or refused, keyed by the caller's idempotency key,
      -- written in the same transaction as the events it produced.
      create table commands (
        account_id text not null,
        key text not null,
        type text not null,
        body_hash text not null,
        outcome jsonb not null,
        recorded_at timestamptz not null default clock_timestamp(),
        primary key (account_id, key)
      );

      create table accounts (
        account_id text primary key,
        version bigint not null default 0,
        balance bigint not null default 0,
        debt bigint not null default 0,
        held bigint not null default 0,
        free bigint not null default 0,
        plan bigint not null default 0,
        purchased bigint not null default 0,
        promo bigint not null default 0,
        adjustment bigint not null default 0,
        allowance_free_monthly bigint,
        allowance_anchor_day int,
        last_reset_period text,
        thresholds jsonb not null default '{}'::jsonb,
        updated_at timestamptz not null default now()
      );
      create index accounts_with_allowance on accounts (account_id) where allowance_free_monthly is not null;
      create index accounts_in_debt on accounts (account_id) where debt > 0;

      create table grants (
        account_id text not null,
        grant_id text not null,
        source text not null,
        amount bigint not null check (amount > 0),
        remaining bigint not null check (remaining >= 0 and remaining <= amount),
        priority int not null,
        effective_at timestamptz not null,
        expires_at timestamptz,
        expired boolean not null default false,
        primary key (account_id, grant_id)
      );
      create index grants_live on grants (account_id) where remaining > 0 and not expired;
      create index grants_expiring on grants (expires_at) where remaining > 0 and not expired and expires_at is not null;

      create table holds (
        account_id text not null,
        hold_id text not null,
        amount bigint not null check (amount > 0),
        status text not null,
        placed_at timestamptz not null,
        expires_at timestamptz not null,
        resource jsonb not null,
        primary key (account_id, hold_id)
      );
      create index holds_open on holds (account_id) where status = 'open';
      create index holds_expiring on holds (expires_at) where status = 'open';

      create table charges (
        account_id text not null,
        charge_id text not null,
        amount bigint not null,
        debt_incurred bigint not null,
        refunded bigint not null,
        allocations jsonb not null,
        primary key (account_id, charge_id)
      );

      -- Malformed and conflicting commands: kept with their raw bytes and the reason, never replayed.
      create table rejects (
        id bigserial primary key,
        received_at timestamptz not null default now(),
        subject text not null,
        stream_seq bigint,
        account_id text,
        command_key text,
        reason text not null,
        detail text not null,
        raw bytea not null
      );

      -- How far the outbox relay has published the log.
      create table outbox_position (
        name text primary key,
        last_seq bigint not null
      );
    `.execute(db);
  },
};

export const LEDGER_MIGRATIONS = { '0001-ledger': m0001Ledger };
