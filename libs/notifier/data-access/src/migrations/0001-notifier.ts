import { sql, type Kysely, type Migration } from 'kysely';

/** Frozen once landed: a change is a new migration. Never imports app code. */
export const m0001Notifier: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      -- Where an account's notifications are POSTed. The secret signs them: HMAC needs it in the
      -- clear (it cannot be a hash), see docs/api/notifier-http.md. Deleted endpoints are kept
      -- (without their secret) so that the delivery log still says where things went.
      create table webhook_endpoints (
        id text primary key,
        account_id text not null,
        url text not null,
        kinds text[] not null,
        secret text not null,
        description text not null default '',
        created_at timestamptz not null,
        deleted_at timestamptz
      );
      create index webhook_endpoints_live on webhook_endpoints (account_id) where deleted_at is null;

      create table email_recipients (
        id text primary key,
        account_id text not null,
        address text not null,
        kinds text[] not null,
        created_at timestamptz not null,
        deleted_at timestamptz
      );
      create index email_recipients_live on email_recipients (account_id) where deleted_at is null;

      -- One row per cause, ever: the unique cause_id is what makes a repeated event notify nothing.
      -- body is the exact JSON every attempt sends (and signs).
      create table notifications (
        id text primary key,
        cause_id text not null unique,
        account_id text not null,
        kind text not null,
        occurred_at timestamptz not null,
        body text not null,
        created_at timestamptz not null
      );
      create index notifications_by_account on notifications (account_id, created_at);

      -- One per notification and endpoint or recipient matching it when it was recorded.
      -- next_attempt_at is also the lease of a claimed delivery (see NotifierStore.claimDue).
      create table deliveries (
        id bigserial primary key,
        notification_id text not null references notifications (id),
        account_id text not null,
        kind text not null,
        channel text not null check (channel in ('webhook', 'email')),
        target_id text not null,
        target text not null,
        status text not null check (status in ('pending', 'delivered', 'dead', 'cancelled')),
        attempts int not null default 0,
        next_attempt_at timestamptz,
        give_up_at timestamptz not null,
        last_error text,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        delivered_at timestamptz,
        dead_at timestamptz,
        unique (notification_id, target_id)
      );
      create index deliveries_due on deliveries (next_attempt_at) where status = 'pending';
      create index deliveries_by_account on deliveries (account_id, id);
      create index deliveries_by_target on deliveries (target_id) where status = 'pending';

      -- Append-only: every attempt, successful or not.
      create table delivery_attempts (
        delivery_id bigint not null references deliveries (id),
        attempt int not null,
        started_at timestamptz not null,
        duration_ms int not null,
        outcome text not null check (outcome in ('delivered', 'failed')),
        status_code int,
        error text,
        primary key (delivery_id, attempt)
      );
      create function delivery_attempts_are_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'the delivery attempt log is append-only: % is refused', tg_op
          using errcode = 'insufficient_privilege';
      end $$;
      create trigger delivery_attempts_no_update before update or delete on delivery_attempts
        for each row execute function delivery_attempts_are_append_only();

      -- credits_expiring notices waiting for their time, one per grant.
      create table reminders (
        account_id text not null,
        grant_id text not null,
        source text not null,
        amount bigint not null,
        expires_at timestamptz not null,
        notify_at timestamptz not null,
        status text not null check (status in ('scheduled', 'fired', 'cancelled')),
        primary key (account_id, grant_id)
      );
      create index reminders_due on reminders (notify_at) where status = 'scheduled';

      -- Which catalog each account is priced by, from metering's SubscriptionSet events.
      create table subscriptions (
        account_id text primary key,
        catalog_id text not null,
        plan_id text not null,
        set_at timestamptz not null
      );
      create index subscriptions_by_catalog on subscriptions (catalog_id);

      -- Stream messages that are not what their contract says, kept with their bytes for an operator.
      create table rejects (
        id bigserial primary key,
        stream text not null,
        subject text not null,
        stream_seq bigint,
        reason text not null,
        raw bytea not null,
        created_at timestamptz not null
      );
    `.execute(db);
  },
};
