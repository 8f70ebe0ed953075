import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Frozen once landed: a change is a new migration. Never imports app code.
 *
 * Recharge's outbox takes the shape of the shared one (`outboxTableDdl` in platform-messaging), so
 * `enqueueOutbox` and `OutboxRelay` write and publish it: `body` is `payload`, `created_at`
 * defaults to now(), and `id` is the primary key (`seq` stays, not null, for the relay's order).
 * Rows are kept, published or not; the `outbox_unpublished` index is already the shared one.
 */
export const m0002SharedOutbox: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      alter table outbox rename column body to payload;
      alter table outbox alter column created_at set default now();
      alter table outbox drop constraint outbox_pkey;
      alter table outbox alter column seq set not null;
      -- id was already unique: the key replaces that constraint, named as outboxTableDdl's is.
      alter table outbox drop constraint outbox_id_key;
      alter table outbox add constraint outbox_pkey primary key (id);
    `.execute(db);
  },
};
