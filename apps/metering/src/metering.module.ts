import { Inject, Injectable, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { subject, type Namespace } from '@credence/contracts';
import { systemClock, type Clock } from '@credence/kernel';
import { ApiKeyQueries, METERING_MIGRATIONS, MeteringQueries, type MeteringDatabase } from '@credence/metering-data-access';
import { ApiKeyGuard, AUTHENTICATOR, Authenticator, CachedKeyStore, loadAuthConfig, SqlKeyStore, type AuthConfig } from '@credence/platform-auth';
import { closeDatabase, openMigratedDatabase, poolOf } from '@credence/platform-database';
import { connectNats, ensureDurableConsumer, ensureStream, OutboxRelay, Publisher } from '@credence/platform-messaging';
import { createLogger } from '@credence/platform-observability';
import { Accounts } from './application/accounts/accounts.js';
import { Authorize } from './application/authorize/authorize.js';
import { ConsumeUsage } from './application/consume-usage/consume-usage.js';
import { RecordUsage } from './application/record-usage/record-usage.js';
import { Refund } from './application/refund/refund.js';
import { Settle } from './application/settle/settle.js';
import { CatalogClient } from './clients/catalog-client.js';
import { LedgerClient } from './clients/ledger-client.js';
import type { UpstreamOptions } from '@credence/platform-runtime';
import { loadMeteringConfig, type MeteringConfig } from './config/metering-config.js';
import { eventsStream, usageConsumer, usageStream } from './config/streams.js';
import { AUTH, CLOCK, CONFIG, DB, KEY_STORE, NAMESPACE, NATS } from './metering.tokens.js';
import { ApiKeysController } from './transport/http/api-keys.controller.js';
import { HealthController } from './transport/http/health.controller.js';
import { MeteringController } from './transport/http/metering.controller.js';
import { AuthorizeHandler } from './transport/nats/authorize.handler.js';
import { UsageHandler } from './transport/nats/usage.handler.js';

/** Closes what the module opened, after everything else has stopped using it. */
@Injectable()
class Connections implements OnApplicationShutdown {
  constructor(
    @Inject(DB) private readonly db: Kysely<MeteringDatabase>,
    @Inject(NATS) private readonly nc: NatsConnection,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.nc.drain().catch(() => undefined);
    await closeDatabase(this.db);
  }
}

/** Publishes the outbox (stream METERING) from start-up until shutdown begins, before the connections close. */
@Injectable()
class EventRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly relay: OutboxRelay;

  constructor(@Inject(DB) db: Kysely<MeteringDatabase>, @Inject(NATS) nc: NatsConnection, @Inject(NAMESPACE) ns: Namespace) {
    const log = createLogger({ name: 'metering-outbox' });
    this.relay = new OutboxRelay({
      pool: poolOf(db),
      publisher: new Publisher(nc),
      subjectFor: (s) => subject(ns, s),
      onError: (error) => log.warn({ err: error }, 'outbox relay failed; retrying'),
    });
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}

// Metering calls the ledger's admin-only write routes: UPSTREAM_API_KEY, else the bootstrap admin key.
const upstream = (c: MeteringConfig): UpstreamOptions => ({
  timeoutMs: c.UPSTREAM_TIMEOUT_MS,
  attempts: c.UPSTREAM_ATTEMPTS,
  retryDelayMs: c.UPSTREAM_RETRY_DELAY_MS,
  apiKey: process.env['UPSTREAM_API_KEY'] || loadAuthConfig().adminKey,
});

@Module({
  controllers: [MeteringController, ApiKeysController, HealthController, AuthorizeHandler, UsageHandler],
  providers: [
    { provide: CONFIG, useFactory: () => loadMeteringConfig() },
    { provide: NAMESPACE, useFactory: (c: MeteringConfig): Namespace => ({ prefix: c.NATS_PREFIX }), inject: [CONFIG] },
    { provide: CLOCK, useValue: systemClock },
    {
      provide: DB,
      // Migrated before any controller or consumer exists: no traffic on an old schema.
      useFactory: (c: MeteringConfig) =>
        openMigratedDatabase<MeteringDatabase>({
          connectionString: c.DATABASE_URL,
          schema: c.METERING_SCHEMA,
          poolMax: c.DB_POOL_MAX,
          applicationName: 'credence-metering',
          migrations: METERING_MIGRATIONS,
        }),
      inject: [CONFIG],
    },
    {
      provide: NATS,
      // The stream and its consumer exist before the transport starts pulling from them.
      useFactory: async (c: MeteringConfig, ns: Namespace) => {
        const nc = await connectNats({ servers: [c.NATS_URL], name: 'credence-metering' });
        const jsm = await jetstreamManager(nc);
        const stream = usageStream(ns, c);
        await ensureStream(jsm, stream);
        await ensureDurableConsumer(jsm, stream.name, usageConsumer(c));
        await ensureStream(jsm, eventsStream(ns, c));
        return nc;
      },
      inject: [CONFIG, NAMESPACE],
    },
    { provide: AUTH, useFactory: (): AuthConfig => loadAuthConfig() },
    // Metering owns api_keys: it reads its own schema, whatever AUTH_SCHEMA says.
    {
      provide: KEY_STORE,
      useFactory: (db: Kysely<MeteringDatabase>, c: MeteringConfig, a: AuthConfig) => new CachedKeyStore(new SqlKeyStore(poolOf(db), c.METERING_SCHEMA), a.cacheMs),
      inject: [DB, CONFIG, AUTH],
    },
    { provide: AUTHENTICATOR, useFactory: (a: AuthConfig, store: CachedKeyStore) => new Authenticator(a, store), inject: [AUTH, KEY_STORE] },
    ApiKeyGuard,
    { provide: ApiKeyQueries, useFactory: (db: Kysely<MeteringDatabase>) => new ApiKeyQueries(db), inject: [DB] },
    { provide: MeteringQueries, useFactory: (db: Kysely<MeteringDatabase>) => new MeteringQueries(db), inject: [DB] },
    {
      provide: LedgerClient,
      useFactory: (nc: NatsConnection, ns: Namespace, c: MeteringConfig) => new LedgerClient(nc, ns, c.LEDGER_URL, upstream(c)),
      inject: [NATS, NAMESPACE, CONFIG],
    },
    {
      provide: CatalogClient,
      useFactory: (nc: NatsConnection, ns: Namespace, c: MeteringConfig) => new CatalogClient(nc, ns, c.CATALOG_URL, upstream(c), c.PLAN_CACHE_MS),
      inject: [NATS, NAMESPACE, CONFIG],
    },
    {
      provide: Authorize,
      useFactory: (q: MeteringQueries, cat: CatalogClient, l: LedgerClient, clock: Clock) => new Authorize(q, cat, l, clock),
      inject: [MeteringQueries, CatalogClient, LedgerClient, CLOCK],
    },
    {
      provide: Settle,
      useFactory: (q: MeteringQueries, cat: CatalogClient, l: LedgerClient, clock: Clock) => new Settle(q, cat, l, clock),
      inject: [MeteringQueries, CatalogClient, LedgerClient, CLOCK],
    },
    {
      provide: RecordUsage,
      useFactory: (q: MeteringQueries, cat: CatalogClient, l: LedgerClient, clock: Clock) => new RecordUsage(q, cat, l, clock),
      inject: [MeteringQueries, CatalogClient, LedgerClient, CLOCK],
    },
    { provide: ConsumeUsage, useFactory: (r: RecordUsage, q: MeteringQueries) => new ConsumeUsage(r, q), inject: [RecordUsage, MeteringQueries] },
    { provide: Refund, useFactory: (l: LedgerClient) => new Refund(l), inject: [LedgerClient] },
    {
      provide: Accounts,
      useFactory: (q: MeteringQueries, cat: CatalogClient, l: LedgerClient, clock: Clock) => new Accounts(q, cat, l, clock),
      inject: [MeteringQueries, CatalogClient, LedgerClient, CLOCK],
    },
    EventRelay,
    Connections,
  ],
})
export class MeteringModule {}
