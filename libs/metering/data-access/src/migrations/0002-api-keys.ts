import { sql, type Kysely, type Migration } from 'kysely';

/** Frozen once landed: a change is a new migration. Never imports app code. */
export const m0002ApiKeys: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      -- Workload and admin keys. Only sha256(secret) is kept; the ledger and the catalog read this
      -- table (read-only) to verify keys.
      create table api_keys (
        id text primary key,
        hash bytea not null,
        scope jsonb not null,
        label text not null default '',
        created_at timestamptz not null default now(),
        revoked_at timestamptz
      );
    `.execute(db);
  },
};
