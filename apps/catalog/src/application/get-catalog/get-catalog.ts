import type { CatalogQueries } from '@credence/catalog-data-access';
import { packView } from '@credence/catalog-domain';
import type { Clock } from '@credence/kernel';
import type { CatalogCache } from '../catalog-cache.js';
import { toWire } from '../wire.js';

/** `GET /api/catalog/catalogs[/:id]`: what is loaded, and one catalog with its pack views now. */
export class GetCatalog {
  constructor(
    private readonly queries: CatalogQueries,
    private readonly cache: CatalogCache,
    private readonly clock: Clock,
  ) {}

  async list() {
    const [all, defaultId] = await Promise.all([this.queries.list(), this.queries.defaultCatalogId()]);
    return {
      defaultCatalogId: defaultId ?? null,
      catalogs: all.map((c) => ({ catalogId: c.catalogId, revision: c.revision, publishedAt: c.publishedAt.toISOString() })),
    };
  }

  /** The newest revision, its document as loaded, and per currency the packs on offer now. */
  async get(catalogId: string) {
    const loaded = await this.cache.get(catalogId);
    if (!loaded) return undefined;
    const stored = await this.queries.revision(catalogId, loaded.revision);
    const now = this.clock.now();
    return {
      catalogId,
      revision: loaded.revision,
      publishedAt: loaded.publishedAt.toISOString(),
      asOf: new Date(now).toISOString(),
      packViews: Object.fromEntries(loaded.catalog.currencies.map((c) => [c.code, toWire(packView(loaded.catalog.packs, c, now))])),
      document: stored?.document ?? null,
    };
  }
}
