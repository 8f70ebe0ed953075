import { createTestSchema, type TestSchema } from '@credence/testing';
import { type Kysely, sql } from 'kysely';
import { createDatabase, poolOf } from './database.js';

interface DB {
  amounts: { id: string; amount: bigint };
}

const BEYOND_2_53 = 2n ** 53n + 1n; // 9007199254740993: not representable as a JS number
const INT8_MAX = 2n ** 63n - 1n;

describe('createDatabase', () => {
  let a: TestSchema;
  let b: TestSchema;
  let dbA: Kysely<DB>;
  let dbB: Kysely<DB>;

  beforeAll(async () => {
    a = await createTestSchema('db_a');
    b = await createTestSchema('db_b');
    dbA = createDatabase<DB>({ connectionString: a.connectionString, schema: a.schema, poolMax: 2, applicationName: 'db-int-spec' });
    dbB = createDatabase<DB>({ connectionString: b.connectionString, schema: b.schema, poolMax: 2 });
    for (const db of [dbA, dbB]) {
      await db.schema.createTable('amounts').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('amount', 'int8', (c) => c.notNull()).execute();
    }
  });

  afterAll(async () => {
    await dbA.destroy();
    await dbB.destroy();
    await a.drop();
    await b.drop();
  });

  it('round-trips int8 beyond 2^53 as bigint, through kysely and the raw pool', async () => {
    // Given amounts that a JS number would round
    await dbA.insertInto('amounts').values([{ id: 'big', amount: BEYOND_2_53 }, { id: 'max', amount: INT8_MAX }, { id: 'neg', amount: -BEYOND_2_53 }]).execute();

    // When they are read back, one by one and summed
    const rows = await dbA.selectFrom('amounts').selectAll().orderBy('id').execute();
    const raw = await poolOf(dbA).query<{ amount: bigint }>('select amount from amounts where id = $1', ['big']);
    const sums = await sql<{ total: bigint; count: bigint; list: bigint[]; half: string }>`
      select sum(amount) as total, count(*) as count, array_agg(amount order by id) as list, 1::numeric / 2 as half
      from amounts where id in ('big', 'neg')`.execute(dbA);

    // Then every value is an exact bigint; a fractional numeric stays an exact string
    expect(rows).toEqual([
      { id: 'big', amount: BEYOND_2_53 },
      { id: 'max', amount: INT8_MAX },
      { id: 'neg', amount: -BEYOND_2_53 },
    ]);
    expect(raw.rows[0]?.amount).toBe(BEYOND_2_53);
    expect(sums.rows[0]).toEqual({ total: 0n, count: 2n, list: [BEYOND_2_53, -BEYOND_2_53], half: '0.50000000000000000000' });
  });

  it('sums past 2^63 stay exact (numeric comes back as bigint when integral)', async () => {
    const { rows } = await sql<{ total: bigint }>`select sum(x) as total from (values (${INT8_MAX}::int8), (${INT8_MAX}::int8)) v(x)`.execute(dbA);
    expect(rows[0]?.total).toBe(INT8_MAX * 2n);
  });

  it('keeps each pool inside its own schema', async () => {
    // Given the same unqualified table in two schemas
    await dbB.insertInto('amounts').values({ id: 'only-in-b', amount: 1n }).execute();

    // Then each database sees only its own rows, and its search_path is its schema alone
    const inA = await dbA.selectFrom('amounts').select('id').where('id', '=', 'only-in-b').execute();
    const inB = await dbB.selectFrom('amounts').select('id').execute();
    expect(inA).toEqual([]);
    expect(inB).toEqual([{ id: 'only-in-b' }]);
    const paths = await Promise.all(
      [dbA, dbB].map(async (db) => (await sql<{ p: string }>`select current_setting('search_path') as p`.execute(db)).rows[0]?.p),
    );
    expect(paths).toEqual([a.schema, b.schema]);
  });

  it('applies the configured statement timeout and application name', async () => {
    const timed = createDatabase({ connectionString: a.connectionString, schema: a.schema, statementTimeoutMs: 50, applicationName: 'timeout-probe' });
    try {
      const { rows } = await sql<{ name: string }>`select current_setting('application_name') as name`.execute(timed);
      expect(rows[0]?.name).toBe('timeout-probe');
      await expect(sql`select pg_sleep(1)`.execute(timed)).rejects.toThrow(/statement timeout/);
    } finally {
      await timed.destroy();
    }
  });

  it('refuses a bad schema name and a connection string that would override search_path', () => {
    expect(() => createDatabase({ connectionString: a.connectionString, schema: 'Bad-Name' })).toThrow(/lowercase letters/);
    expect(() => createDatabase({ connectionString: `${a.connectionString}?options=-c%20search_path%3Dpublic`, schema: a.schema })).toThrow(
      /must not set "options"/,
    );
  });
});
