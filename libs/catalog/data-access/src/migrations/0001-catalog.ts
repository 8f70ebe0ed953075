import { sql, type Kysely, type Migration } from 'kysely';

/** Frozen once landed: a change is a new migration. Never imports app code. */
export const m0001Catalog: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      -- Every catalog ever loaded, one row per revision: a price already charged can always be
      -- explained by the document that priced it.
      create table catalog_documents (
        id bigserial primary key,
        catalog_id text not null,
        revision int not null check (revision > 0),
        document jsonb not null,
        published_at timestamptz not null default clock_timestamp(),
        unique (catalog_id, revision)
      );

      create function catalog_documents_are_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'catalog documents are append-only: % is refused', tg_op
          using errcode = 'insufficient_privilege';
      end $$;
      create trigger catalog_documents_no_update before update or delete on catalog_documents
        for each row execute function catalog_documents_are_append_only();
      create trigger catalog_documents_no_truncate before truncate on catalog_documents
        for each statement execute function catalog_documents_are_append_only();

      -- The catalog a request without catalogId means: at most one row.
      create table default_catalog (
        singleton boolean primary key default true check (singleton),
        catalog_id text not null
      );
    `.execute(db);
  },
};

export const CATALOG_MIGRATIONS = { '0001-catalog': m0001Catalog };
