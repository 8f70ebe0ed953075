import { Inject, Injectable, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Kysely } from 'kysely';
import type { NatsConnection } from '@nats-io/nats-core';
import { AUTO_RECHARGE_THRESHOLD, type Namespace } from '@credence/contracts';
import { systemClock, type Clock } from '@credence/kernel';
import { NOTIFIER_MIGRATIONS, NotifierStore, type NotifierDatabase } from '@credence/notifier-data-access';
import type { RetryPolicy } from '@credence/notifier-domain';
import { ApiKeyGuard, AUTHENTICATOR, Authenticator, CachedKeyStore, loadAuthConfig, SqlKeyStore, type AuthConfig } from '@credence/platform-auth';
import { closeDatabase, openMigratedDatabase, poolOf } from '@credence/platform-database';
import { connectNats } from '@credence/platform-messaging';
import { createLogger } from '@credence/platform-observability';
import { DeliverDue, type ChannelSender } from './application/deliver/deliver.js';
import { Deliveries } from './application/deliveries/deliveries.js';
import { FireReminders } from './application/fire-reminders/fire-reminders.js';
import { RecordEvents } from './application/record-events/record-events.js';
import { Targets } from './application/targets/targets.js';
import { EmailSender } from './channels/email-sender.js';
import { WebhookSender } from './channels/webhook-sender.js';
import { loadNotifierConfig, type NotifierConfig } from './config/notifier-config.js';
import { eventSources } from './config/streams.js';
import { AUTH, CLOCK, CONFIG, DB, EMAIL_SENDER, NAMESPACE, NATS, RETRY_POLICY } from './notifier.tokens.js';
import { DeliveriesController } from './transport/http/deliveries.controller.js';
import { HealthController } from './transport/http/health.controller.js';
import { TargetsController } from './transport/http/targets.controller.js';
import { EventConsumers } from './transport/nats/event-consumers.js';
import { DeliveryWorker } from './transport/schedule/worker.js';

/** A claim outlives the slowest send by this much before another worker may take the delivery again. */
const LEASE_MARGIN_MS = 30_000;
/** At most this many pooled SMTP connections, whatever the delivery concurrency. */
const MAX_SMTP_CONNECTIONS = 5;

/**
 * Starts the event consumers and the delivery worker once everything is wired, and stops them
 * before the connections they use are closed.
 */
@Injectable()
class Background implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = createLogger({ name: 'notifier' });
  private readonly worker: DeliveryWorker;
  private readonly consumers: EventConsumers;

  constructor(
    @Inject(CONFIG) c: NotifierConfig,
    @Inject(NAMESPACE) ns: Namespace,
    @Inject(NATS) nc: NatsConnection,
    @Inject(NotifierStore) store: NotifierStore,
    @Inject(CLOCK) clock: Clock,
    @Inject(RETRY_POLICY) retry: RetryPolicy,
    @Inject(EMAIL_SENDER) email: EmailSender | undefined,
  ) {
    const senders: Partial<Record<'webhook' | 'email', ChannelSender>> = { webhook: new WebhookSender(c.SEND_TIMEOUT_MS, clock), ...(email ? { email } : {}) };
    const deliver = new DeliverDue(store, senders, clock, { retry, leaseMs: c.SEND_TIMEOUT_MS + LEASE_MARGIN_MS });
    const wake = () => this.worker.wake();
    this.worker = new DeliveryWorker(
      deliver,
      new FireReminders(store, clock, retry, wake),
      { concurrency: c.DELIVERY_CONCURRENCY, pollMs: c.DELIVERY_POLL_MS, reminderPollMs: c.REMINDER_POLL_MS, errorMs: 1_000 },
      this.logger,
    );
    const record = new RecordEvents(
      store,
      clock,
      { mapping: { expiryNoticeMs: c.EXPIRY_NOTICE_MS, ignoredThresholds: new Set([AUTO_RECHARGE_THRESHOLD]) }, maxCauseAgeMs: c.MAX_CAUSE_AGE_MS, retry },
      wake,
    );
    this.consumers = new EventConsumers(nc, eventSources(ns, c), record, { batchSize: c.EVENT_BATCH_SIZE, fetchExpiresMs: c.EVENT_FETCH_EXPIRES_MS, retryMs: c.STREAM_RETRY_MS }, this.logger);
    if (!email) this.logger.warn({}, 'SMTP_URL is not set: e-mail deliveries are recorded but not sent, and are dead-lettered after DELIVERY_MAX_AGE_MS');
  }

  onApplicationBootstrap(): void {
    this.consumers.start();
    this.worker.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumers.stop();
    await this.worker.stop();
  }
}

/** Closes what the module opened, after everything else has stopped using it. */
@Injectable()
class Connections implements OnApplicationShutdown {
  constructor(
    @Inject(DB) private readonly db: Kysely<NotifierDatabase>,
    @Inject(NATS) private readonly nc: NatsConnection,
    @Inject(EMAIL_SENDER) private readonly email: EmailSender | undefined,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.email?.close();
    await this.nc.drain().catch(() => undefined);
    await closeDatabase(this.db);
  }
}

@Module({
  controllers: [TargetsController, DeliveriesController, HealthController],
  providers: [
    { provide: CONFIG, useFactory: () => loadNotifierConfig() },
    { provide: NAMESPACE, useFactory: (c: NotifierConfig): Namespace => ({ prefix: c.NATS_PREFIX }), inject: [CONFIG] },
    { provide: CLOCK, useValue: systemClock },
    {
      provide: RETRY_POLICY,
      useFactory: (c: NotifierConfig): RetryPolicy => ({ baseMs: c.RETRY_BASE_MS, capMs: c.RETRY_CAP_MS, maxAgeMs: c.DELIVERY_MAX_AGE_MS }),
      inject: [CONFIG],
    },
    {
      provide: DB,
      // Migrated before any controller or consumer exists: no traffic on an old schema.
      useFactory: (c: NotifierConfig) =>
        openMigratedDatabase<NotifierDatabase>({
          connectionString: c.DATABASE_URL,
          schema: c.NOTIFIER_SCHEMA,
          poolMax: c.DB_POOL_MAX,
          applicationName: 'credence-notifier',
          migrations: NOTIFIER_MIGRATIONS,
        }),
      inject: [CONFIG],
    },
    { provide: NATS, useFactory: (c: NotifierConfig) => connectNats({ servers: [c.NATS_URL], name: 'credence-notifier' }), inject: [CONFIG] },
    {
      provide: EMAIL_SENDER,
      useFactory: (c: NotifierConfig) => (c.SMTP_URL ? new EmailSender(c.SMTP_URL, c.MAIL_FROM, c.SEND_TIMEOUT_MS, Math.min(MAX_SMTP_CONNECTIONS, c.DELIVERY_CONCURRENCY)) : undefined),
      inject: [CONFIG],
    },
    { provide: AUTH, useFactory: (): AuthConfig => loadAuthConfig() },
    // Keys live in metering's schema (AUTH_SCHEMA), read-only here.
    {
      provide: AUTHENTICATOR,
      useFactory: (a: AuthConfig, db: Kysely<NotifierDatabase>) => new Authenticator(a, new CachedKeyStore(new SqlKeyStore(poolOf(db), a.schema), a.cacheMs)),
      inject: [AUTH, DB],
    },
    ApiKeyGuard,
    { provide: NotifierStore, useFactory: (db: Kysely<NotifierDatabase>) => new NotifierStore(db), inject: [DB] },
    { provide: Targets, useFactory: (s: NotifierStore, clock: Clock) => new Targets(s, clock), inject: [NotifierStore, CLOCK] },
    { provide: Deliveries, useFactory: (s: NotifierStore, clock: Clock, r: RetryPolicy) => new Deliveries(s, clock, r), inject: [NotifierStore, CLOCK, RETRY_POLICY] },
    Background,
    Connections,
  ],
})
export class NotifierModule {}
