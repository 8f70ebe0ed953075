import { sql, type Kysely } from 'kysely';
import type { MeteringDatabase } from './schema.js';

export interface ApiKeyRow {
  readonly id: string;
  readonly scope: unknown;
  readonly label: string;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
}

/** The writer's side of api_keys: create, revoke, list. Never returns hashes. */
export class ApiKeyQueries {
  constructor(private readonly db: Kysely<MeteringDatabase>) {}

  async insert(k: { id: string; hash: Buffer; scope: unknown; label: string }): Promise<ApiKeyRow> {
    const row = await this.db
      .insertInto('api_keys')
      .values({ id: k.id, hash: k.hash, scope: sql`${JSON.stringify(k.scope)}::jsonb`, label: k.label })
      .returning(['id', 'scope', 'label', 'created_at', 'revoked_at'])
      .executeTakeFirstOrThrow();
    return toRow(row);
  }

  /** The first revocation's time stays; undefined when no key has that id. */
  async revoke(id: string, at: Date): Promise<ApiKeyRow | undefined> {
    const row = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: sql`coalesce(revoked_at, ${at})` })
      .where('id', '=', id)
      .returning(['id', 'scope', 'label', 'created_at', 'revoked_at'])
      .executeTakeFirst();
    return row && toRow(row);
  }

  async list(): Promise<ApiKeyRow[]> {
    const rows = await this.db.selectFrom('api_keys').select(['id', 'scope', 'label', 'created_at', 'revoked_at']).orderBy('created_at').orderBy('id').execute();
    return rows.map(toRow);
  }
}

const toRow = (r: { id: string; scope: unknown; label: string; created_at: Date; revoked_at: Date | null }): ApiKeyRow => ({
  id: r.id,
  scope: r.scope,
  label: r.label,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});
