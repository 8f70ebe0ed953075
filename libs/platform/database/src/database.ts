import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { assertSchemaName } from './identifiers.js';

export interface DatabaseOptions {
  connectionString: string;
  /** Every pooled connection gets `search_path` = this schema only, so unqualified names stay inside it. */
  schema: string;
  poolMax?: number;
  /** How long to wait for a new connection (or a free one when the pool is full) before failing. */
  connectionTimeoutMs?: number;
  /** An idle connection is closed after this long. */
  idleTimeoutMs?: number;
  /** Server-side cap on every statement, migrations included. */
  statementTimeoutMs?: number;
  /** Shown in pg_stat_activity, so a stuck query can be traced to its service. */
  applicationName?: string;
  /**
   * An idle pooled connection can fail (a Postgres restart, a network cut); pg reports it as a pool
   * 'error' event, which would crash the process if nobody listened. The pool drops that connection
   * by itself; this only decides where the news goes. Defaults to a line on stderr.
   */
  onIdleConnectionError?: (error: Error) => void;
}

export const DATABASE_DEFAULTS = {
  poolMax: 10,
  connectionTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
  statementTimeoutMs: 30_000,
  applicationName: 'credence',
} as const;

const INT8_OID = 20;
// Typed as number: pg-types' enum of builtins lacks the array OIDs.
const INT8_ARRAY_OID: number = 1016;
const NUMERIC_OID = 1700;
const INTEGER_TEXT = /^-?\d+$/;

type Nested<T> = T | null | Nested<T>[];

function mapNested<A, B>(value: Nested<A>, fn: (a: A) => B): Nested<B> {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map((item) => mapNested(item, fn));
  return fn(value);
}

/**
 * Amounts are bigint end to end: int8 (and `count(*)`) come back as bigint. `numeric` is what
 * Postgres gives for `sum(int8)`, so an integral numeric also comes back as bigint; a fractional
 * one (an `avg`, say) stays the exact decimal string rather than being rounded into a float.
 * These parsers live on the pool, not in pg's global registry, so other code keeps pg's defaults.
 */
function credenceTypes(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8_OID, 'text', (text: string) => BigInt(text));
  types.setTypeParser(NUMERIC_OID, 'text', (text: string) => (INTEGER_TEXT.test(text) ? BigInt(text) : text));
  const parseTextArray = pg.types.getTypeParser(INT8_ARRAY_OID, 'text') as (text: string) => Nested<string>;
  types.setTypeParser(INT8_ARRAY_OID, 'text', (text: string) => mapNested(parseTextArray(text), (item) => BigInt(item)));
  return types;
}

/**
 * A pg connection string may carry its own `options`, which pg lets override the config; that
 * would silently replace the search_path that isolates the schema.
 */
function assertNoOptionsParameter(connectionString: string): void {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    return; // not a URL (e.g. a libpq key=value string); pg reports real problems itself
  }
  if (url.searchParams.has('options')) {
    throw new Error('The connection string must not set "options": search_path comes from the schema option');
  }
}

/** The raw pool, for hot paths that want pg directly (multi-row `unnest` inserts, say). */
export function createPool(options: DatabaseOptions): pg.Pool {
  const schema = assertSchemaName(options.schema);
  assertNoOptionsParameter(options.connectionString);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    // Schema names are validated to [a-z0-9_], so they need no escaping inside the startup options.
    options: `-c search_path=${schema}`,
    max: options.poolMax ?? DATABASE_DEFAULTS.poolMax,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? DATABASE_DEFAULTS.connectionTimeoutMs,
    idleTimeoutMillis: options.idleTimeoutMs ?? DATABASE_DEFAULTS.idleTimeoutMs,
    statement_timeout: options.statementTimeoutMs ?? DATABASE_DEFAULTS.statementTimeoutMs,
    application_name: options.applicationName ?? DATABASE_DEFAULTS.applicationName,
    types: credenceTypes(),
  });
  const onError =
    options.onIdleConnectionError ??
    ((error: Error) => process.stderr.write(`[platform-database] idle connection failed: ${error.message}\n`));
  pool.on('error', onError);
  return pool;
}

const pools = new WeakMap<object, pg.Pool>();

/** A Kysely instance over its own pool. `db.destroy()` ends the pool. */
export function createDatabase<DB>(options: DatabaseOptions): Kysely<DB> {
  const pool = createPool(options);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  return db;
}

/** The pg Pool under a Kysely made by `createDatabase`: same connections, same search_path and type parsers. */
export function poolOf<DB>(db: Kysely<DB>): pg.Pool {
  const pool = pools.get(db);
  if (pool === undefined) {
    throw new Error('poolOf: this Kysely instance was not made by createDatabase');
  }
  return pool;
}

/**
 * Closes a database made by `createDatabase`. `db.destroy()` alone ends the pool only if Kysely
 * itself ever used it; code that went straight to `poolOf(db)` would leave idle connections
 * holding the process open until their idle timeout.
 */
export async function closeDatabase<DB>(db: Kysely<DB>): Promise<void> {
  const pool = pools.get(db);
  await db.destroy();
  if (pool !== undefined && !pool.ended) await pool.end();
}
