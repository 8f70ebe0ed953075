import { createTestSchema, uniqueName, type TestSchema } from '@credence/testing';
import { type Kysely, type Migration, sql } from 'kysely';
import pg from 'pg';
import { createDatabase } from './database.js';
import { runMigrations } from './migrations.js';

// Deliberately not idempotent (no "if not exists", a plain insert): run twice, they would fail or duplicate.
const migrations: Record<string, Migration> = {
  '2026_01_01_0001_accounts': {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable('accounts').addColumn('id', 'text', (c) => c.primaryKey()).execute();
      // Slow enough that a second runner arrives while this one holds the lock.
      await sql`select pg_sleep(0.2)`.execute(db);
    },
  },
  '2026_01_01_0002_seed': {
    async up(db: Kysely<unknown>) {
      await sql`insert into accounts (id) values ('house')`.execute(db);
    },
  },
};

async function count(connectionString: string, query: string): Promise<number> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(query);
    return Number(rows[0]?.n);
  } finally {
    await client.end();
  }
}

describe('runMigrations', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  function database(schema: TestSchema | { schema: string; connectionString: string }) {
    const db = createDatabase({ connectionString: schema.connectionString, schema: schema.schema, poolMax: 2 });
    cleanups.push(() => db.destroy());
    return db;
  }

  it('creates the schema, applies each migration once, even with two runners at the same time', async () => {
    // Given a schema that does not exist yet, and two replicas starting together
    const probe = await createTestSchema('mig_probe');
    cleanups.push(() => probe.drop());
    const schema = uniqueName('mig');
    const target = { schema, connectionString: probe.connectionString };
    cleanups.push(async () => {
      const client = new pg.Client({ connectionString: probe.connectionString });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    });
    const [one, two] = [database(target), database(target)];

    // When both migrate at once
    const applied = await Promise.all([runMigrations(one, { schema, migrations }), runMigrations(two, { schema, migrations })]);

    // Then one of them applied both migrations and the other found nothing to do
    expect(applied.map((names) => names.length).sort()).toEqual([0, 2]);
    expect(applied.flat()).toEqual(['2026_01_01_0001_accounts', '2026_01_01_0002_seed']);
    expect(await count(probe.connectionString, `select count(*) as n from ${schema}.accounts`)).toBe(1);
    expect(await count(probe.connectionString, `select count(*) as n from ${schema}.kysely_migration`)).toBe(2);

    // And running again later is a no-op
    expect(await runMigrations(one, { schema, migrations })).toEqual([]);
    expect(await count(probe.connectionString, `select count(*) as n from ${schema}.accounts`)).toBe(1);
  });

  it('keeps a migration table per schema', async () => {
    const [x, y] = [await createTestSchema('mig_x'), await createTestSchema('mig_y')];
    cleanups.push(() => x.drop(), () => y.drop());
    await runMigrations(database(x), { schema: x.schema, migrations });
    const first = { '2026_01_01_0001_accounts': migrations['2026_01_01_0001_accounts'] } as Record<string, Migration>;
    expect(await runMigrations(database(y), { schema: y.schema, migrations: first })).toEqual(['2026_01_01_0001_accounts']);
    expect(await count(x.connectionString, `select count(*) as n from ${y.schema}.kysely_migration`)).toBe(1);
  });

  it('runs migrations with the migrated schema on the search_path, and restores the connection after', async () => {
    // Given a database whose pool points at another schema
    const [home, other] = [await createTestSchema('mig_home'), await createTestSchema('mig_other')];
    cleanups.push(() => home.drop(), () => other.drop());
    const db = createDatabase({ connectionString: home.connectionString, schema: home.schema, poolMax: 1 });
    cleanups.push(() => db.destroy());

    // When it migrates the other schema
    await runMigrations(db, { schema: other.schema, migrations });

    // Then the tables landed there, and the pooled connection is back on its own schema
    expect(await count(home.connectionString, `select count(*) as n from ${other.schema}.accounts`)).toBe(1);
    const { rows } = await sql<{ p: string }>`select current_setting('search_path') as p`.execute(db);
    expect(rows[0]?.p).toBe(home.schema);
  });

  it('throws naming the failing migration, and keeps none of that run', async () => {
    const s = await createTestSchema('mig_fail');
    cleanups.push(() => s.drop());
    const broken: Record<string, Migration> = {
      ...migrations,
      '2026_01_02_0001_broken': {
        async up(db: Kysely<unknown>) {
          await sql`alter table no_such_table add column x int`.execute(db);
        },
      },
    };
    await expect(runMigrations(database(s), { schema: s.schema, migrations: broken })).rejects.toThrow(
      new RegExp(`Migration "2026_01_02_0001_broken" failed in schema "${s.schema}": relation "no_such_table" does not exist`),
    );
    // kysely runs the whole batch in one transaction
    expect(await count(s.connectionString, `select count(*) as n from ${s.schema}.kysely_migration`)).toBe(0);
  });
});
