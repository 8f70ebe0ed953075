import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the catalog schema. */
export interface CatalogDatabase {
  catalog_documents: {
    id: ColumnType<bigint, never, never>;
    catalog_id: string;
    revision: number;
    /** The JSON form `parseCatalog` reads, exactly as loaded. */
    document: unknown;
    published_at: Generated<Date>;
  };
  default_catalog: {
    singleton: Generated<boolean>;
    catalog_id: string;
  };
}
