import { isKeyScope, type KeyStore, type StoredKey } from './keys.js';

/** The one thing the SQL store needs of a pg Pool. */
export interface Queryable {
  query<R extends object>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

type Row = { id: string; hash: Buffer; scope: unknown; revoked_at: Date | null };

/**
 * Reads `<schema>.api_keys` (owned and written by metering) read-only, so the ledger and the
 * catalog verify keys without a copy of the table.
 */
export class SqlKeyStore implements KeyStore {
  private readonly table: string;

  constructor(
    private readonly db: Queryable,
    schema: string,
  ) {
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid key schema name: ${schema}`);
    this.table = `"${schema}".api_keys`;
  }

  async find(id: string): Promise<StoredKey | undefined> {
    const { rows } = await this.db.query<Row>(`select id, hash, scope, revoked_at from ${this.table} where id = $1`, [id]);
    const row = rows[0];
    // A scope this code does not understand grants nothing.
    if (!row || !isKeyScope(row.scope)) return undefined;
    return { id: row.id, hash: row.hash, scope: row.scope, revokedAt: row.revoked_at };
  }
}

/**
 * Remembers answers (misses included) for `ttlMs`: a revoked key keeps working at most that long
 * on a replica that saw it recently.
 */
export class CachedKeyStore implements KeyStore {
  private readonly entries = new Map<string, { at: number; key: StoredKey | undefined }>();

  constructor(
    private readonly inner: KeyStore,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  async find(id: string): Promise<StoredKey | undefined> {
    const hit = this.entries.get(id);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.key;
    const key = await this.inner.find(id);
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(id, { at: this.now(), key });
    return key;
  }

  /** The writer's own replica forgets at once. */
  forget(id: string): void {
    this.entries.delete(id);
  }
}
