import pg from 'pg';
import { testDatabaseUrl, uniqueName } from './names.js';

export interface TestSchema {
  /** A fresh, empty schema; also a valid `schema` for createDatabase. */
  schema: string;
  /** The database holding it (without search_path: pass `schema` alongside). */
  connectionString: string;
  /** Drops the schema and everything in it. Safe to call twice. */
  drop(): Promise<void>;
}

async function execute(connectionString: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** One schema per test file keeps parallel jest workers apart. Call `drop()` in afterAll. */
export async function createTestSchema(prefix: string): Promise<TestSchema> {
  const schema = uniqueName(prefix);
  const connectionString = testDatabaseUrl();
  // uniqueName yields only [a-z0-9_], so the name needs no quoting.
  await execute(connectionString, `create schema ${schema}`);
  return {
    schema,
    connectionString,
    drop: () => execute(connectionString, `drop schema if exists ${schema} cascade`),
  };
}
