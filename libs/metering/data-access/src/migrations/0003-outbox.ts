import { sql, type Kysely, type Migration } from 'kysely';
import { outboxTableDdl } from '@credence/platform-messaging';

/** Frozen once landed: a change is a new migration. Never imports app code. */
export const m0003Outbox: Migration = {
  async up(db: Kysely<unknown>) {
    // Events for stream METERING (limit reached, subscription set), written with the fact they report.
    await sql.raw(outboxTableDdl('outbox')).execute(db);
  },
};
