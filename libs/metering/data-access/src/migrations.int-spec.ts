import { sql } from 'kysely';
import { closeDatabase, createDatabase, runMigrations } from '@credence/platform-database';
import { createTestSchema, type TestSchema } from '@credence/testing';
import { METERING_MIGRATIONS } from './migrations/index.js';
import type { MeteringDatabase } from './schema.js';

describe('metering migrations', () => {
  let schema: TestSchema;

  beforeAll(async () => {
    schema = await createTestSchema('meteringmig');
  });

  afterAll(async () => {
    await schema?.drop();
  });

  it('given subscriptions set before the outbox existed, when migrated, then each gets the SubscriptionSet a live change would have made, once', async () => {
    const db = createDatabase<MeteringDatabase>({ connectionString: schema.connectionString, schema: schema.schema, poolMax: 2 });
    try {
      const { '0001-metering': m1, '0002-api-keys': m2 } = METERING_MIGRATIONS;
      await runMigrations(db, { schema: schema.schema, migrations: { '0001-metering': m1, '0002-api-keys': m2 } });
      await sql`insert into subscriptions (account_id, catalog_id, plan_id, updated_at) values ('acct-1', 'wazion', 'free', '2026-10-01T12:00:00.5Z')`.execute(db);

      await runMigrations(db, { schema: schema.schema, migrations: METERING_MIGRATIONS });
      await runMigrations(db, { schema: schema.schema, migrations: METERING_MIGRATIONS });

      const { rows } = await sql<{ id: string; subject: string; payload: unknown }>`select id, subject, payload from outbox`.execute(db);
      const id = 'acct-1#subscription#wazion#free#2026-10-01T12:00:00.500Z';
      expect(rows).toEqual([
        {
          id,
          subject: 'metering.v1.subscription.set',
          payload: { id, type: 'SubscriptionSet', accountId: 'acct-1', at: '2026-10-01T12:00:00.500Z', catalogId: 'wazion', planId: 'free' },
        },
      ]);
    } finally {
      await closeDatabase(db);
    }
  });
});
