import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { CATALOG_PUBLISHED_SUBJECT, subject, type CatalogPublishedEvent, type Namespace } from '@credence/contracts';
import { CATALOG_MIGRATIONS, CatalogQueries, type CatalogDatabase } from '@credence/catalog-data-access';
import { systemClock, type Clock } from '@credence/kernel';
import { ApiKeyGuard, AUTHENTICATOR, Authenticator, CachedKeyStore, loadAuthConfig, SqlKeyStore } from '@credence/platform-auth';
import { closeDatabase, openMigratedDatabase, poolOf } from '@credence/platform-database';
import { connectNats, ensureStream, Publisher } from '@credence/platform-messaging';
import { CatalogCache } from './application/catalog-cache.js';
import { GetCatalog } from './application/get-catalog/get-catalog.js';
import { LoadCatalog } from './application/load-catalog/load-catalog.js';
import { PackOffer } from './application/pack-offer/pack-offer.js';
import { catalogEventPublisher } from './transport/nats/catalog-events.publisher.js';
import { Quote } from './application/quote/quote.js';
import { Simulate } from './application/simulate/simulate.js';
import { loadCatalogConfig, type CatalogConfig } from './config/catalog-config.js';
import { eventStream } from './config/streams.js';
import { CLOCK, CONFIG, DB, NAMESPACE, NATS } from './catalog.tokens.js';
import { CatalogController } from './transport/http/catalog.controller.js';
import { HealthController } from './transport/http/health.controller.js';
import { PackOfferHandler } from './transport/nats/pack-offer.handler.js';
import { QuoteHandler } from './transport/nats/quote.handler.js';

/**
 * Boot: a fresh schema gets the default catalog; every catalog's newest revision is announced
 * again (a notice lost after its commit is made good here); then every replica listens for
 * revisions stored elsewhere and drops what it cached of older ones.
 */
@Injectable()
class CatalogBoot implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('CatalogBoot');
  private subscription: Subscription | undefined;

  constructor(
    @Inject(CONFIG) private readonly config: CatalogConfig,
    @Inject(NAMESPACE) private readonly ns: Namespace,
    @Inject(NATS) private readonly nc: NatsConnection,
    @Inject(LoadCatalog) private readonly load: LoadCatalog,
    @Inject(CatalogCache) private readonly cache: CatalogCache,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = this.nc.subscribe(subject(this.ns, CATALOG_PUBLISHED_SUBJECT), {
      callback: (error, msg) => {
        if (error !== null) return;
        try {
          this.cache.seen(msg.json<CatalogPublishedEvent>());
        } catch {
          this.logger.warn(`ignored a ${CATALOG_PUBLISHED_SUBJECT} message that is not JSON`);
        }
      },
    });
    const path = this.config.CATALOG_DEFAULT;
    if (path !== '') {
      const document: unknown = JSON.parse(await readFile(resolve(path), 'utf8'));
      const loaded = await this.load.loadIfEmpty(document);
      if (loaded && loaded.status !== 'loaded') throw new Error(`CATALOG_DEFAULT ${path} is not a valid catalog: ${JSON.stringify(loaded.issues)}`);
      if (loaded) this.logger.log(`loaded ${path} as ${loaded.catalogId} revision ${loaded.revision}`);
    }
    await this.load.republishLatest();
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }
}

/** Closes what the module opened, after everything else has stopped using it. */
@Injectable()
class Connections implements OnApplicationShutdown {
  constructor(
    @Inject(DB) private readonly db: Kysely<CatalogDatabase>,
    @Inject(NATS) private readonly nc: NatsConnection,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.nc.drain().catch(() => undefined);
    await closeDatabase(this.db);
  }
}

@Module({
  controllers: [CatalogController, HealthController, QuoteHandler, PackOfferHandler],
  providers: [
    { provide: CONFIG, useFactory: () => loadCatalogConfig() },
    { provide: NAMESPACE, useFactory: (c: CatalogConfig): Namespace => ({ prefix: c.NATS_PREFIX }), inject: [CONFIG] },
    { provide: CLOCK, useValue: systemClock },
    {
      provide: DB,
      // Migrated before any controller or consumer exists: no traffic on an old schema.
      useFactory: (c: CatalogConfig) =>
        openMigratedDatabase<CatalogDatabase>({
          connectionString: c.DATABASE_URL,
          schema: c.CATALOG_SCHEMA,
          poolMax: c.DB_POOL_MAX,
          applicationName: 'credence-catalog',
          migrations: CATALOG_MIGRATIONS,
        }),
      inject: [CONFIG],
    },
    {
      provide: NATS,
      // The stream exists before anything is published on it.
      useFactory: async (c: CatalogConfig, ns: Namespace) => {
        const nc = await connectNats({ servers: [c.NATS_URL], name: 'credence-catalog' });
        await ensureStream(await jetstreamManager(nc), eventStream(ns, c));
        return nc;
      },
      inject: [CONFIG, NAMESPACE],
    },
    {
      // Keys live in metering's api_keys (same database, AUTH_SCHEMA), read-only and cached AUTH_CACHE_MS.
      provide: AUTHENTICATOR,
      useFactory: (db: Kysely<CatalogDatabase>) => {
        const a = loadAuthConfig();
        return new Authenticator(a, new CachedKeyStore(new SqlKeyStore(poolOf(db), a.schema), a.cacheMs));
      },
      inject: [DB],
    },
    ApiKeyGuard,
    { provide: CatalogQueries, useFactory: (db: Kysely<CatalogDatabase>) => new CatalogQueries(db), inject: [DB] },
    { provide: CatalogCache, useFactory: (q: CatalogQueries) => new CatalogCache(q), inject: [CatalogQueries] },
    {
      provide: LoadCatalog,
      useFactory: (q: CatalogQueries, clock: Clock, nc: NatsConnection, ns: Namespace, cache: CatalogCache) =>
        new LoadCatalog(q, clock, catalogEventPublisher(new Publisher(nc), ns), cache),
      inject: [CatalogQueries, CLOCK, NATS, NAMESPACE, CatalogCache],
    },
    { provide: GetCatalog, useFactory: (q: CatalogQueries, cache: CatalogCache, clock: Clock) => new GetCatalog(q, cache, clock), inject: [CatalogQueries, CatalogCache, CLOCK] },
    { provide: Quote, useFactory: (cache: CatalogCache, clock: Clock) => new Quote(cache, clock), inject: [CatalogCache, CLOCK] },
    { provide: Simulate, useFactory: (cache: CatalogCache, clock: Clock) => new Simulate(cache, clock), inject: [CatalogCache, CLOCK] },
    { provide: PackOffer, useFactory: (cache: CatalogCache, clock: Clock) => new PackOffer(cache, clock), inject: [CatalogCache, CLOCK] },
    CatalogBoot,
    Connections,
  ],
})
export class CatalogModule {}
