import { inspect } from 'node:util';
import { type Kysely, type Migration, type MigrationResultSet, Migrator, sql } from 'kysely';
import { closeDatabase, createDatabase, type DatabaseOptions } from './database.js';
import { assertSchemaName, quoteIdent } from './identifiers.js';

export type { Migration } from 'kysely';

export interface RunMigrationsOptions {
  schema: string;
  /** Compiled with the app, never read from disk; applied in name order, so prefix names with a sortable stamp. */
  migrations: Record<string, Migration>;
  /** How long to wait for another runner that is migrating the same schema. */
  lockTimeoutMs?: number;
}

export const MIGRATION_DEFAULTS = { lockTimeoutMs: 60_000 } as const;

/**
 * Two-int advisory locks live in a different key space from kysely's single-bigint migration
 * lock, so ours can never collide with it. The first key is "CRED" in ASCII.
 */
const LOCK_NAMESPACE = 0x43524544;

/**
 * Brings `schema` up to date and returns the names of the migrations this call applied (empty
 * when another runner had already done it).
 *
 * Safe for replicas starting together: kysely's Migrator already holds a session-level
 * `pg_advisory_lock` while it reads the migration table and applies migrations, one transaction
 * for the lot. Its preparatory steps (creating the schema and its migration tables) run outside
 * that lock though, and so would our `create schema`, which races in Postgres ("duplicate key
 * ... pg_namespace"). So the whole run also holds a per-schema advisory lock on one connection.
 */
export async function runMigrations<DB>(db: Kysely<DB>, options: RunMigrationsOptions): Promise<string[]> {
  const schema = assertSchemaName(options.schema);
  const lockTimeoutMs = options.lockTimeoutMs ?? MIGRATION_DEFAULTS.lockTimeoutMs;
  const migrations = options.migrations;

  const resultSet = await db.connection().execute(async (conn) => {
    // lock_timeout is set for this one statement only (set_config local outside a transaction).
    await sql`with t as (select set_config('lock_timeout', ${String(lockTimeoutMs)}, true))
      select pg_advisory_lock(${LOCK_NAMESPACE}::int4, hashtext(${schema})) from t`.execute(conn);
    const previous = await sql<{ search_path: string }>`select current_setting('search_path') as search_path`.execute(conn);
    const previousSearchPath = previous.rows[0]?.search_path ?? '';
    let outcome: MigrationResultSet;
    try {
      await sql.raw(`create schema if not exists ${quoteIdent(schema)}`).execute(conn);
      // Migrations write unqualified names; they belong in the schema being migrated.
      await sql`select set_config('search_path', ${schema}, false)`.execute(conn);
      const migrator = new Migrator({
        db: conn,
        provider: { getMigrations: () => Promise.resolve(migrations) },
        migrationTableSchema: schema,
      });
      outcome = await migrator.migrateToLatest();
    } finally {
      await sql`select set_config('search_path', ${previousSearchPath}, false)`.execute(conn);
      await sql`select pg_advisory_unlock(${LOCK_NAMESPACE}::int4, hashtext(${schema}))`.execute(conn);
    }
    return outcome;
  });

  const results = resultSet.results ?? [];
  if (resultSet.error !== undefined) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName;
    const reason = resultSet.error instanceof Error ? resultSet.error.message : inspect(resultSet.error);
    const what = failed === undefined ? 'Migrations could not run' : `Migration "${failed}" failed`;
    throw new Error(`${what} in schema "${schema}": ${reason}`, { cause: resultSet.error });
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * A database whose schema is brought up to date before it is handed out: a service that opens
 * its database this way never serves traffic on an old schema.
 */
export async function openMigratedDatabase<DB>(options: DatabaseOptions & { readonly migrations: Record<string, Migration> }): Promise<Kysely<DB>> {
  const { migrations, ...databaseOptions } = options;
  const db = createDatabase<DB>(databaseOptions);
  try {
    await runMigrations(db, { schema: options.schema, migrations });
  } catch (error) {
    await closeDatabase(db);
    throw error;
  }
  return db;
}
