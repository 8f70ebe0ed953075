import { sql, type Kysely, type Transaction } from 'kysely';
import type { CatalogDatabase } from './schema.js';

export interface StoredCatalog {
  readonly catalogId: string;
  readonly revision: number;
  readonly document: unknown;
  readonly publishedAt: Date;
}

/** Appends are rare: one lock for all of them keeps revisions dense and "load if empty" exact. */
const APPEND_LOCK = 0x43415441; // "CATA"

const toStored = (r: { catalog_id: string; revision: number; document: unknown; published_at: Date }): StoredCatalog => ({
  catalogId: r.catalog_id,
  revision: r.revision,
  document: r.document,
  publishedAt: r.published_at,
});

/** Every statement of the catalog schema. */
export class CatalogQueries {
  constructor(private readonly db: Kysely<CatalogDatabase>) {}

  /** The newest revision of one catalog, or undefined when it was never loaded. */
  async latest(catalogId: string): Promise<StoredCatalog | undefined> {
    const row = await this.db
      .selectFrom('catalog_documents')
      .select(['catalog_id', 'revision', 'document', 'published_at'])
      .where('catalog_id', '=', catalogId)
      .orderBy('revision', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toStored(row);
  }

  /** One revision of one catalog. */
  async revision(catalogId: string, revision: number): Promise<StoredCatalog | undefined> {
    const row = await this.db
      .selectFrom('catalog_documents')
      .select(['catalog_id', 'revision', 'document', 'published_at'])
      .where('catalog_id', '=', catalogId)
      .where('revision', '=', revision)
      .executeTakeFirst();
    return row && toStored(row);
  }

  /** The newest revision of every catalog, by id. */
  async list(): Promise<StoredCatalog[]> {
    const rows = await this.db
      .selectFrom('catalog_documents')
      .distinctOn('catalog_id')
      .select(['catalog_id', 'revision', 'document', 'published_at'])
      .orderBy('catalog_id')
      .orderBy('revision', 'desc')
      .execute();
    return rows.map(toStored);
  }

  /** Appends the next revision of `catalogId` (1 for a new one); the first catalog ever loaded becomes the default. */
  append(catalogId: string, document: unknown): Promise<StoredCatalog> {
    return this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${APPEND_LOCK})`.execute(trx);
      return this.insertNext(trx, catalogId, document);
    });
  }

  /** Appends only when the schema holds no catalog at all (boot of a fresh deployment); undefined otherwise. */
  appendIfEmpty(catalogId: string, document: unknown): Promise<StoredCatalog | undefined> {
    return this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${APPEND_LOCK})`.execute(trx);
      const any = await trx.selectFrom('catalog_documents').select('id').limit(1).executeTakeFirst();
      return any ? undefined : this.insertNext(trx, catalogId, document);
    });
  }

  async defaultCatalogId(): Promise<string | undefined> {
    const row = await this.db.selectFrom('default_catalog').select('catalog_id').executeTakeFirst();
    return row?.catalog_id;
  }

  async setDefaultCatalog(catalogId: string): Promise<void> {
    await this.db
      .insertInto('default_catalog')
      .values({ catalog_id: catalogId })
      .onConflict((oc) => oc.column('singleton').doUpdateSet({ catalog_id: catalogId }))
      .execute();
  }

  private async insertNext(trx: Transaction<CatalogDatabase>, catalogId: string, document: unknown): Promise<StoredCatalog> {
    const last = await trx
      .selectFrom('catalog_documents')
      .select((eb) => eb.fn.max('revision').as('revision'))
      .where('catalog_id', '=', catalogId)
      .executeTakeFirst();
    const row = await trx
      .insertInto('catalog_documents')
      .values({ catalog_id: catalogId, revision: (last?.revision ?? 0) + 1, document: JSON.stringify(document) })
      .returning(['catalog_id', 'revision', 'document', 'published_at'])
      .executeTakeFirstOrThrow();
    await trx.insertInto('default_catalog').values({ catalog_id: catalogId }).onConflict((oc) => oc.column('singleton').doNothing()).execute();
    return toStored(row);
  }
}
