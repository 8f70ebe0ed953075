import { Inject, Injectable, Logger, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { JetStreamApiCodes, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { subject, type Namespace } from '@credence/contracts';
import { systemClock, type Clock } from '@credence/kernel';
import { RECHARGE_MIGRATIONS, RechargeQueries, SandboxQueries, type RechargeDatabase } from '@credence/recharge-data-access';
import { ApiKeyGuard, AUTHENTICATOR, Authenticator, CachedKeyStore, loadAuthConfig, SqlKeyStore } from '@credence/platform-auth';
import { closeDatabase, openMigratedDatabase, poolOf } from '@credence/platform-database';
import { connectNats, ensureDurableConsumer, ensureStream, isJetStreamApiError, OutboxRelay, Publisher } from '@credence/platform-messaging';
import { Loop, type UpstreamOptions } from '@credence/platform-runtime';
import { AutoRecharge } from './application/auto-recharge/auto-recharge.js';
import { HandleBalanceLow } from './application/balance-low/balance-low.js';
import { BuyPack } from './application/buy-pack/buy-pack.js';
import { ConfirmPayment } from './application/confirm-payment/confirm-payment.js';
import { ListPurchases } from './application/list-purchases/list-purchases.js';
import { Offers } from './application/offers.js';
import { PaymentMethods } from './application/payment-methods/payment-methods.js';
import { ProcessPurchases } from './application/process-purchases/process-purchases.js';
import { PurchaseBook } from './application/purchase-book.js';
import { CatalogClient } from './clients/catalog-client.js';
import { LedgerClient } from './clients/ledger-client.js';
import { MeteringClient } from './clients/metering-client.js';
import { loadRechargeConfig, paymentPolicy, type RechargeConfig } from './config/recharge-config.js';
import { balanceLowConsumer, ledgerStreamName, rechargeStream } from './config/streams.js';
import type { PaymentGateway } from './gateway/payment-gateway.js';
import { SandboxGateway } from './gateway/sandbox/sandbox-gateway.js';
import { SandboxProvider } from './gateway/sandbox/sandbox-provider.js';
import { CLOCK, CONFIG, DB, GATEWAY, NAMESPACE, NATS } from './recharge.tokens.js';
import { BillingController } from './transport/http/billing.controller.js';
import { GatewayController } from './transport/http/gateway.controller.js';
import { HealthController } from './transport/http/health.controller.js';
import { BalanceLowHandler } from './transport/nats/balance-low.handler.js';

const logger = new Logger('Recharge');
const reportError = (what: string, error: unknown) => logger.error(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);

/**
 * RECHARGE promises its consumers the outbox's order (docs/subjects.md: "relayed in order"): only the
 * replica holding this advisory lock ("RCHG", one per schema) publishes, so two steps of a purchase
 * never reach the stream swapped, as the batches of two replicas publishing at once could.
 */
const RELAY_LOCK = 0x52434847;

/** The ledger owns its stream: recharge waits for it to exist rather than create it with settings of its own. */
async function waitForStream(jsm: JetStreamManager, name: string, waitMs: number): Promise<void> {
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      await jsm.streams.info(name);
      return;
    } catch (error) {
      if (!isJetStreamApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
      if (Date.now() >= until) throw new Error(`stream ${name} does not exist after ${waitMs} ms: start the ledger first`);
      logger.warn(`waiting for stream ${name} (the ledger creates it)`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Starts the time-driven work after boot and stops it before anything it uses is closed. */
@Injectable()
class Schedules implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loops: Loop[] = [];

  constructor(
    @Inject(CONFIG) private readonly config: RechargeConfig,
    @Inject(ProcessPurchases) private readonly processing: ProcessPurchases,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(AutoRecharge) private readonly autoRecharge: AutoRecharge,
    @Inject(SandboxProvider) private readonly sandbox: SandboxProvider,
  ) {}

  onApplicationBootstrap(): void {
    const c = this.config;
    const onError = (name: string, error: unknown) => reportError(name, error);
    this.loops.push(
      new Loop(() => this.processing.runOnce(), { name: 'purchases', idleMs: c.WORK_IDLE_MS, errorMs: 1_000, onError }),
      new Loop(() => this.autoRecharge.syncOnce(100), { name: 'ledger thresholds', idleMs: c.THRESHOLD_SYNC_MS, errorMs: c.THRESHOLD_SYNC_MS, onError }),
      new Loop(() => this.sandbox.runOnce(), { name: 'sandbox provider', idleMs: Math.min(c.WORK_IDLE_MS, 200), errorMs: 1_000, onError }),
    );
    for (const loop of this.loops) loop.start();
    this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.loops.splice(0).map((l) => l.stop()), this.relay.stop()]);
    await this.processing.drain();
  }
}

/** Closes what the module opened, after everything else has stopped using it. */
@Injectable()
class Connections implements OnApplicationShutdown {
  constructor(
    @Inject(DB) private readonly db: Kysely<RechargeDatabase>,
    @Inject(NATS) private readonly nc: NatsConnection,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.nc.drain().catch(() => undefined);
    await closeDatabase(this.db);
  }
}

// The ledger's write routes and metering's account routes want a key: UPSTREAM_API_KEY, else the bootstrap admin key.
const upstream = (c: RechargeConfig): UpstreamOptions => ({
  timeoutMs: c.UPSTREAM_TIMEOUT_MS,
  attempts: c.UPSTREAM_ATTEMPTS,
  retryDelayMs: c.UPSTREAM_RETRY_DELAY_MS,
  apiKey: process.env['UPSTREAM_API_KEY'] || loadAuthConfig().adminKey,
});

@Module({
  controllers: [BillingController, GatewayController, HealthController, BalanceLowHandler],
  providers: [
    { provide: CONFIG, useFactory: () => loadRechargeConfig() },
    { provide: NAMESPACE, useFactory: (c: RechargeConfig): Namespace => ({ prefix: c.NATS_PREFIX }), inject: [CONFIG] },
    { provide: CLOCK, useValue: systemClock },
    {
      provide: DB,
      // Migrated before any controller or consumer exists: no traffic on an old schema.
      useFactory: (c: RechargeConfig) =>
        openMigratedDatabase<RechargeDatabase>({
          connectionString: c.DATABASE_URL,
          schema: c.RECHARGE_SCHEMA,
          poolMax: c.DB_POOL_MAX,
          applicationName: 'credence-recharge',
          migrations: RECHARGE_MIGRATIONS,
        }),
      inject: [CONFIG],
    },
    {
      provide: NATS,
      // Recharge's own stream, and its consumer on the ledger's, exist before anything is published or pulled.
      useFactory: async (c: RechargeConfig, ns: Namespace) => {
        const nc = await connectNats({ servers: [c.NATS_URL], name: 'credence-recharge' });
        const jsm = await jetstreamManager(nc);
        await ensureStream(jsm, rechargeStream(ns, c));
        await waitForStream(jsm, ledgerStreamName(ns), c.LEDGER_STREAM_WAIT_MS);
        await ensureDurableConsumer(jsm, ledgerStreamName(ns), balanceLowConsumer(ns, c));
        return nc;
      },
      inject: [CONFIG, NAMESPACE],
    },
    {
      // Keys live in metering's api_keys (same database, AUTH_SCHEMA), read-only and cached AUTH_CACHE_MS.
      provide: AUTHENTICATOR,
      useFactory: (db: Kysely<RechargeDatabase>) => {
        const a = loadAuthConfig();
        return new Authenticator(a, new CachedKeyStore(new SqlKeyStore(poolOf(db), a.schema), a.cacheMs));
      },
      inject: [DB],
    },
    ApiKeyGuard,
    { provide: RechargeQueries, useFactory: (db: Kysely<RechargeDatabase>) => new RechargeQueries(db), inject: [DB] },
    { provide: SandboxQueries, useFactory: (db: Kysely<RechargeDatabase>) => new SandboxQueries(db), inject: [DB] },
    { provide: LedgerClient, useFactory: (c: RechargeConfig) => new LedgerClient(c.LEDGER_URL, upstream(c)), inject: [CONFIG] },
    { provide: MeteringClient, useFactory: (c: RechargeConfig) => new MeteringClient(c.METERING_URL, upstream(c)), inject: [CONFIG] },
    { provide: CatalogClient, useFactory: (nc: NatsConnection, ns: Namespace, c: RechargeConfig) => new CatalogClient(nc, ns, upstream(c)), inject: [NATS, NAMESPACE, CONFIG] },
    { provide: Offers, useFactory: (m: MeteringClient, cat: CatalogClient, q: RechargeQueries) => new Offers(m, cat, q), inject: [MeteringClient, CatalogClient, RechargeQueries] },
    {
      provide: SandboxProvider,
      useFactory: (q: SandboxQueries, clock: Clock, c: RechargeConfig) =>
        new SandboxProvider(
          q,
          clock,
          {
            confirmDelayMs: c.SANDBOX_CONFIRM_DELAY_MS,
            timeoutDelayMs: c.SANDBOX_TIMEOUT_DELAY_MS,
            webhookDelayMs: c.SANDBOX_WEBHOOKS === 'on' ? c.SANDBOX_WEBHOOK_DELAY_MS : null,
            webhookUrl: c.SANDBOX_WEBHOOK_URL || `http://127.0.0.1:${c.PORT}/api/billing/gateway/webhook`,
            secret: c.SANDBOX_WEBHOOK_SECRET,
          },
          reportError,
        ),
      inject: [SandboxQueries, CLOCK, CONFIG],
    },
    {
      provide: GATEWAY,
      useFactory: (p: SandboxProvider, clock: Clock, c: RechargeConfig): PaymentGateway => new SandboxGateway(p, clock, c.GATEWAY_TIMEOUT_MS, c.SANDBOX_WEBHOOK_SECRET),
      inject: [SandboxProvider, CLOCK, CONFIG],
    },
    {
      provide: PurchaseBook,
      useFactory: (q: RechargeQueries, clock: Clock, c: RechargeConfig) => new PurchaseBook(q, clock, { disableAfter: c.DISABLE_AFTER_FAILURES }),
      inject: [RechargeQueries, CLOCK, CONFIG],
    },
    {
      provide: ProcessPurchases,
      useFactory: (q: RechargeQueries, book: PurchaseBook, g: PaymentGateway, l: LedgerClient, clock: Clock, c: RechargeConfig) =>
        new ProcessPurchases(q, book, g, l, clock, paymentPolicy(c), { batchSize: c.WORK_BATCH_SIZE, leaseMs: c.WORK_LEASE_MS }, reportError),
      inject: [RechargeQueries, PurchaseBook, GATEWAY, LedgerClient, CLOCK, CONFIG],
    },
    {
      provide: BuyPack,
      useFactory: (q: RechargeQueries, book: PurchaseBook, o: Offers, p: ProcessPurchases, clock: Clock) => new BuyPack(q, book, o, p, clock),
      inject: [RechargeQueries, PurchaseBook, Offers, ProcessPurchases, CLOCK],
    },
    {
      provide: HandleBalanceLow,
      useFactory: (q: RechargeQueries, book: PurchaseBook, o: Offers, p: ProcessPurchases, clock: Clock) => new HandleBalanceLow(q, book, o, p, clock),
      inject: [RechargeQueries, PurchaseBook, Offers, ProcessPurchases, CLOCK],
    },
    {
      provide: AutoRecharge,
      useFactory: (q: RechargeQueries, o: Offers, l: LedgerClient, clock: Clock) => new AutoRecharge(q, o, l, clock),
      inject: [RechargeQueries, Offers, LedgerClient, CLOCK],
    },
    { provide: PaymentMethods, useFactory: (q: RechargeQueries, g: PaymentGateway, clock: Clock) => new PaymentMethods(q, g, clock), inject: [RechargeQueries, GATEWAY, CLOCK] },
    { provide: ListPurchases, useFactory: (q: RechargeQueries) => new ListPurchases(q), inject: [RechargeQueries] },
    { provide: ConfirmPayment, useFactory: (g: PaymentGateway, p: ProcessPurchases) => new ConfirmPayment(g, p), inject: [GATEWAY, ProcessPurchases] },
    {
      // RechargeEvents written with the change they report, published on stream RECHARGE with Nats-Msg-Id = event id.
      provide: OutboxRelay,
      useFactory: (db: Kysely<RechargeDatabase>, nc: NatsConnection, ns: Namespace, c: RechargeConfig) =>
        new OutboxRelay({
          pool: poolOf(db),
          publisher: new Publisher(nc),
          subjectFor: (s) => subject(ns, s),
          batchSize: c.OUTBOX_BATCH_SIZE,
          idleMs: c.OUTBOX_POLL_MS,
          errorMs: 1_000,
          exclusiveLock: RELAY_LOCK,
          onError: (error) => reportError('outbox relay', error),
        }),
      inject: [DB, NATS, NAMESPACE, CONFIG],
    },
    Schedules,
    Connections,
  ],
})
export class RechargeModule {}
