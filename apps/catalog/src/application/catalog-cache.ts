import type { CatalogPublishedEvent } from '@credence/contracts';
import type { CatalogQueries, StoredCatalog } from '@credence/catalog-data-access';
import { parseCatalog, type Catalog } from '@credence/catalog-domain';

export interface LoadedCatalog {
  readonly catalogId: string;
  readonly revision: number;
  readonly publishedAt: Date;
  readonly catalog: Catalog;
}

export function parseStored(stored: StoredCatalog): LoadedCatalog {
  const parsed = parseCatalog(stored.document);
  // Only documents that parsed are ever stored: failing here is a bug, not a bad request.
  if (!parsed.ok) throw new Error(`stored catalog ${stored.catalogId}#${stored.revision} does not parse: ${JSON.stringify(parsed.issues)}`);
  return { catalogId: stored.catalogId, revision: stored.revision, publishedAt: stored.publishedAt, catalog: parsed.value };
}

/**
 * Parsed catalogs by id, newest revision each, so a quote costs no query and no parse. An entry
 * is dropped when a newer revision is announced (`catalog.v1.catalog.published`) or loaded here.
 */
export class CatalogCache {
  private readonly byId = new Map<string, LoadedCatalog>();
  private defaultId: string | undefined;

  constructor(private readonly queries: CatalogQueries) {}

  async get(catalogId: string): Promise<LoadedCatalog | undefined> {
    const cached = this.byId.get(catalogId);
    if (cached) return cached;
    const stored = await this.queries.latest(catalogId);
    if (!stored) return undefined;
    const loaded = parseStored(stored);
    this.keep(loaded);
    return this.byId.get(catalogId);
  }

  async defaultCatalogId(): Promise<string | undefined> {
    return (this.defaultId ??= await this.queries.defaultCatalogId());
  }

  /** Keeps a revision unless a newer one is already held. */
  keep(loaded: LoadedCatalog): void {
    const held = this.byId.get(loaded.catalogId);
    if (!held || held.revision < loaded.revision) this.byId.set(loaded.catalogId, loaded);
  }

  /** A revision was stored somewhere: anything older is reloaded on next use. */
  seen(event: CatalogPublishedEvent): void {
    const held = this.byId.get(event.catalogId);
    if (held && held.revision < event.revision) this.byId.delete(event.catalogId);
  }
}
