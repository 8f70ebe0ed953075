import { Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { LEDGER_EVENT_SUBJECTS, subject, type LedgerEventKind, type Namespace } from '@credence/contracts';
import { systemClock, type Clock } from '@credence/kernel';
import { LedgerQueries, LedgerStore, LEDGER_MIGRATIONS, type LedgerDatabase } from '@credence/ledger-data-access';
import { ApiKeyGuard, AUTHENTICATOR, Authenticator, CachedKeyStore, loadAuthConfig, SqlKeyStore } from '@credence/platform-auth';
import { closeDatabase, openMigratedDatabase, poolOf } from '@credence/platform-database';
import { connectNats, ensureDurableConsumer, ensureStream, Publisher } from '@credence/platform-messaging';
import { Loop } from '@credence/platform-runtime';
import { ApplyCommands } from './application/apply-commands/apply-commands.js';
import { ConsumeCommands } from './application/consume-commands/consume-commands.js';
import { GetCredits } from './application/get-credits/get-credits.js';
import { PlaceHold } from './application/place-hold/place-hold.js';
import { PublishEvents } from './application/publish-events/publish-events.js';
import { ResetPeriods } from './application/reset-periods/reset-periods.js';
import { SweepExpiries } from './application/sweep-expiries/sweep-expiries.js';
import { loadLedgerConfig, type LedgerConfig } from './config/ledger-config.js';
import { commandConsumer, commandStream, eventStream } from './config/streams.js';
import { CLOCK, CONFIG, DB, NAMESPACE, NATS, POOL } from './ledger.tokens.js';
import { CommandsController } from './transport/http/commands.controller.js';
import { CreditsController } from './transport/http/credits.controller.js';
import { HealthController } from './transport/http/health.controller.js';
import { CommandsHandler } from './transport/nats/commands.handler.js';
import { HoldsHandler } from './transport/nats/holds.handler.js';
import { ledgerMetrics } from './transport/metrics.js';
import { AdvisoryLeader } from './transport/schedule/loops.js';

/** The outbox relay runs on one replica at a time: whoever holds this advisory lock. */
const RELAY_LOCK = 0x52454c41; // "RELA"

/** Starts the time-driven work (expiries, resets, outbox relay) after boot and stops it first on shutdown. */
@Injectable()
class Schedules implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Schedules');
  private readonly loops: Loop[] = [];
  private leader: AdvisoryLeader | undefined;

  constructor(
    @Inject(CONFIG) private readonly config: LedgerConfig,
    @Inject(POOL) private readonly pool: pg.Pool,
    @Inject(SweepExpiries) private readonly sweep: SweepExpiries,
    @Inject(ResetPeriods) private readonly resets: ResetPeriods,
    @Inject(PublishEvents) private readonly relay: PublishEvents,
  ) {}

  onApplicationBootstrap(): void {
    const onError = (name: string, error: unknown) => this.logger.error(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    const c = this.config;
    const leader = new AdvisoryLeader(this.pool, RELAY_LOCK);
    this.leader = leader;
    this.loops.push(
      new Loop(() => this.sweep.runOnce(), { name: 'expiry sweep', idleMs: c.SWEEP_INTERVAL_MS, errorMs: 1_000, onError }),
      new Loop(() => this.resets.runOnce(), { name: 'period reset', idleMs: c.RESET_INTERVAL_MS, errorMs: 5_000, onError }),
      new Loop(async () => {
        if (!(await leader.isLeader())) return 0;
        const published = await this.relay.runOnce();
        ledgerMetrics().published.add(published);
        return published;
      }, {
        name: 'outbox relay',
        idleMs: c.OUTBOX_POLL_MS,
        errorMs: 1_000,
        onError,
      }),
    );
    for (const loop of this.loops) loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.loops.splice(0).map((l) => l.stop()));
    await this.leader?.release();
  }
}

/** Closes what the module opened, after everything else has stopped using it. */
@Injectable()
class Connections implements OnApplicationShutdown {
  constructor(
    @Inject(DB) private readonly db: Kysely<LedgerDatabase>,
    @Inject(NATS) private readonly nc: NatsConnection,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.nc.drain().catch(() => undefined);
    await closeDatabase(this.db);
  }
}

@Module({
  controllers: [CreditsController, CommandsController, HealthController, CommandsHandler, HoldsHandler],
  providers: [
    { provide: CONFIG, useFactory: () => loadLedgerConfig() },
    { provide: NAMESPACE, useFactory: (c: LedgerConfig): Namespace => ({ prefix: c.NATS_PREFIX }), inject: [CONFIG] },
    { provide: CLOCK, useValue: systemClock },
    {
      provide: DB,
      // Migrated before any controller or consumer exists: no traffic on an old schema.
      useFactory: (c: LedgerConfig) =>
        openMigratedDatabase<LedgerDatabase>({
          connectionString: c.DATABASE_URL,
          schema: c.LEDGER_SCHEMA,
          poolMax: c.DB_POOL_MAX,
          applicationName: 'credence-ledger',
          migrations: LEDGER_MIGRATIONS,
        }),
      inject: [CONFIG],
    },
    { provide: POOL, useFactory: (db: Kysely<LedgerDatabase>) => poolOf(db), inject: [DB] },
    {
      provide: NATS,
      // Streams and the command consumer exist before anything publishes or consumes.
      useFactory: async (c: LedgerConfig, ns: Namespace) => {
        const nc = await connectNats({ servers: [c.NATS_URL], name: 'credence-ledger' });
        const jsm = await jetstreamManager(nc);
        const commands = commandStream(ns, c);
        await ensureStream(jsm, commands);
        await ensureStream(jsm, eventStream(ns, c));
        await ensureDurableConsumer(jsm, commands.name, commandConsumer(ns, c));
        return nc;
      },
      inject: [CONFIG, NAMESPACE],
    },
    { provide: LedgerStore, useFactory: (pool: pg.Pool) => new LedgerStore(pool), inject: [POOL] },
    { provide: LedgerQueries, useFactory: (db: Kysely<LedgerDatabase>) => new LedgerQueries(db), inject: [DB] },
    { provide: ApplyCommands, useFactory: (s: LedgerStore, clock: Clock) => new ApplyCommands(s, clock), inject: [LedgerStore, CLOCK] },
    { provide: ConsumeCommands, useFactory: (a: ApplyCommands, clock: Clock) => new ConsumeCommands(a, clock), inject: [ApplyCommands, CLOCK] },
    {
      provide: PlaceHold,
      useFactory: (a: ApplyCommands, clock: Clock, c: LedgerConfig) =>
        new PlaceHold(a, clock, { groupWindowMs: c.HOLD_GROUP_WINDOW_MS, maxGroupSize: c.HOLD_GROUP_MAX, maxGroupsInFlight: 2 }),
      inject: [ApplyCommands, CLOCK, CONFIG],
    },
    { provide: GetCredits, useFactory: (q: LedgerQueries, clock: Clock) => new GetCredits(q, clock), inject: [LedgerQueries, CLOCK] },
    { provide: SweepExpiries, useFactory: (q: LedgerQueries, a: ApplyCommands, clock: Clock) => new SweepExpiries(q, a, clock), inject: [LedgerQueries, ApplyCommands, CLOCK] },
    { provide: ResetPeriods, useFactory: (q: LedgerQueries, a: ApplyCommands, clock: Clock) => new ResetPeriods(q, a, clock), inject: [LedgerQueries, ApplyCommands, CLOCK] },
    {
      provide: PublishEvents,
      useFactory: (q: LedgerQueries, nc: NatsConnection, ns: Namespace, c: LedgerConfig) => {
        const publisher = new Publisher(nc);
        return new PublishEvents(
          q,
          { publishMany: async (items) => void (await publisher.publishMany(items.map((i) => ({ subject: i.subject, data: i.data, msgId: i.msgId })))) },
          (type) => subject(ns, LEDGER_EVENT_SUBJECTS[type as LedgerEventKind]),
          { batchSize: c.OUTBOX_BATCH_SIZE, positionName: 'ledger-stream' },
        );
      },
      inject: [LedgerQueries, NATS, NAMESPACE, CONFIG],
    },
    {
      // Keys live in metering's api_keys (same database, AUTH_SCHEMA), read-only and cached AUTH_CACHE_MS.
      provide: AUTHENTICATOR,
      useFactory: (pool: pg.Pool) => {
        const a = loadAuthConfig();
        return new Authenticator(a, new CachedKeyStore(new SqlKeyStore(pool, a.schema), a.cacheMs));
      },
      inject: [POOL],
    },
    ApiKeyGuard,
    Schedules,
    Connections,
  ],
})
export class LedgerModule {}
