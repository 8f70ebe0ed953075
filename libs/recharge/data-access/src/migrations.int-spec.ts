import { sql, type Kysely } from 'kysely';
import { enqueueOutbox, outboxTableDdl } from '@credence/platform-messaging';
import { closeDatabase, createDatabase, runMigrations } from '@credence/platform-database';
import { createTestSchema, type TestSchema } from '@credence/testing';
import { RECHARGE_MIGRATIONS } from './migrations/index.js';
import type { RechargeDatabase } from './schema.js';

/** Columns, keys and indexes of a table, with its own name taken out so two tables compare. */
async function shapeOf(db: Kysely<RechargeDatabase>, table: string): Promise<unknown> {
  const columns = await sql<{ name: string; type: string; nullable: string; default: string | null }>`
    select column_name as name, data_type as type, is_nullable as nullable, column_default as default
    from information_schema.columns where table_schema = current_schema() and table_name = ${table} order by column_name`.execute(db);
  const indexes = await sql<{ def: string }>`
    select indexdef as def from pg_indexes where schemaname = current_schema() and tablename = ${table} order by indexname`.execute(db);
  const keys = await sql<{ def: string }>`
    select conname || ' ' || pg_get_constraintdef(oid) as def from pg_constraint where conrelid = to_regclass(${table}) order by conname`.execute(db);
  const plain = (s: string | null) => s?.replaceAll(table, '<table>').replaceAll(/"?[a-z0-9_]+"?\./g, '') ?? null;
  return {
    columns: columns.rows.map((c) => ({ ...c, default: plain(c.default) })),
    indexes: indexes.rows.map((i) => plain(i.def)),
    keys: keys.rows.map((k) => plain(k.def)),
  };
}

describe('recharge migrations', () => {
  let schema: TestSchema;
  let db: Kysely<RechargeDatabase>;

  beforeAll(async () => {
    schema = await createTestSchema('rechargemig');
    db = createDatabase<RechargeDatabase>({ connectionString: schema.connectionString, schema: schema.schema, poolMax: 2 });
  });

  afterAll(async () => {
    await closeDatabase(db);
    await schema?.drop();
  });

  it('given events in the outbox of 0001, when migrated, then the outbox is the shared one, keeps them (published or not) and takes new ones after them', async () => {
    const { '0001-recharge': m1 } = RECHARGE_MIGRATIONS;
    await runMigrations(db, { schema: schema.schema, migrations: { '0001-recharge': m1 } });
    await sql`
      insert into outbox (id, subject, body, created_at, published_at) values
        ('p-1#PurchaseRequested#0', 'recharge.v1.purchase.requested', '{"n":1}', '2026-11-21T08:00:00Z', '2026-11-21T08:00:01Z'),
        ('p-1#PurchaseSucceeded#1', 'recharge.v1.purchase.succeeded', '{"n":2}', '2026-11-21T08:00:02Z', null)`.execute(db);

    await runMigrations(db, { schema: schema.schema, migrations: RECHARGE_MIGRATIONS });
    await runMigrations(db, { schema: schema.schema, migrations: RECHARGE_MIGRATIONS });

    await sql.raw(outboxTableDdl('shared_outbox')).execute(db);
    expect(await shapeOf(db, 'outbox')).toEqual(await shapeOf(db, 'shared_outbox'));

    expect(await enqueueOutbox(db, [{ id: 'p-1#PurchaseSucceeded#1', subject: 'recharge.v1.purchase.succeeded', payload: { n: 0 } }])).toBe(0);
    expect(await enqueueOutbox(db, [{ id: 'p-2#PurchaseRequested#0', subject: 'recharge.v1.purchase.requested', payload: { n: 3 } }])).toBe(1);
    const rows = await db.selectFrom('outbox').select(['id', 'payload', 'published_at']).orderBy('seq').execute();
    expect(rows).toEqual([
      { id: 'p-1#PurchaseRequested#0', payload: { n: 1 }, published_at: new Date('2026-11-21T08:00:01Z') },
      { id: 'p-1#PurchaseSucceeded#1', payload: { n: 2 }, published_at: null },
      { id: 'p-2#PurchaseRequested#0', payload: { n: 3 }, published_at: null },
    ]);
  });
});
