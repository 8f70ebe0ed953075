// Test support for end-to-end tests: a real notifier process (the built dist/) on a schema and a
// NATS prefix of its own (or a ledger deployment's), the producers' streams it reads, and the
// means to publish events and to inspect what it did.
import { fileURLToPath } from 'node:url';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import type pg from 'pg';
import {
  CATALOG_EVENTS_STREAM,
  CATALOG_PRICE_CHANGE_SUBJECT,
  CATALOG_PUBLISHED_SUBJECT,
  METERING_EVENT_SUBJECTS,
  METERING_EVENTS_STREAM,
  RECHARGE_EVENT_SUBJECTS,
  RECHARGE_EVENTS_STREAM,
  streamName,
  subject,
  type Namespace,
} from '@credence/contracts';
import { generateKey, type KeyScope } from '@credence/platform-auth';
import { createPool } from '@credence/platform-database';
import { ensureStream, Publisher } from '@credence/platform-messaging';
import { callJson, createTestSchema, freePort, spawnProcess, TEST_ADMIN_KEY, testDatabaseUrl, testNatsUrl, uniqueName, type HttpReply, type SpawnedProcess, type TestSchema } from '@credence/testing';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const NOTIFIER_MAIN = `${REPO_ROOT}dist/apps/notifier/src/main.js`;
const NODE = `${REPO_ROOT}node_modules/.bin/node`;

/** Retries in milliseconds, not minutes: a test sees the whole schedule. */
export const FAST_NOTIFIER_ENV: Readonly<Record<string, string>> = {
  OTEL_SDK_DISABLED: 'true',
  LOG_LEVEL: 'info',
  DB_POOL_MAX: '4',
  CREDENCE_ADMIN_KEY: TEST_ADMIN_KEY,
  AUTH_CACHE_MS: '0',
  RETRY_BASE_MS: '50',
  RETRY_CAP_MS: '200',
  SEND_TIMEOUT_MS: '2000',
  DELIVERY_POLL_MS: '50',
  REMINDER_POLL_MS: '100',
  STREAM_RETRY_MS: '200',
};

export type { HttpReply };

/** The producers' streams as their producers configure them (subjects from the contracts), small for tests. */
const PRODUCER_STREAMS = [
  { name: RECHARGE_EVENTS_STREAM, subjects: Object.values(RECHARGE_EVENT_SUBJECTS) },
  { name: METERING_EVENTS_STREAM, subjects: Object.values(METERING_EVENT_SUBJECTS) },
  { name: CATALOG_EVENTS_STREAM, subjects: [CATALOG_PUBLISHED_SUBJECT, CATALOG_PRICE_CHANGE_SUBJECT] },
];

/** One notifier process with its schema (which also holds the API keys it reads) and prefix; `close()` removes them. */
export class NotifierDeployment {
  readonly ns: Namespace;
  readonly publisher: Publisher;
  private proc: SpawnedProcess | undefined;
  private readonly createdStreams: string[] = [];
  private msgCounter = 0;
  url = '';

  private constructor(
    readonly schema: TestSchema,
    readonly prefix: string,
    readonly pool: pg.Pool,
    readonly nc: NatsConnection,
    readonly jsm: JetStreamManager,
  ) {
    this.ns = { prefix };
    this.publisher = new Publisher(nc, { ackTimeoutMs: 10_000 });
  }

  /** `prefix`: share a ledger deployment's subjects and streams; otherwise one of its own. */
  static async create(name: string, prefix?: string): Promise<NotifierDeployment> {
    const schema = await createTestSchema(`e2e_${name}`);
    const pool = createPool({ connectionString: schema.connectionString, schema: schema.schema, poolMax: 2, applicationName: 'notifier-e2e' });
    // Metering owns api_keys; here the notifier reads a minimal one in its own schema (AUTH_SCHEMA).
    await pool.query('create table api_keys (id text primary key, hash bytea not null, scope jsonb not null, revoked_at timestamptz)');
    const nc = await connect({ servers: [testNatsUrl()], name: `notifier-e2e-${name}` });
    return new NotifierDeployment(schema, prefix ?? uniqueName(name).replace(/_/g, ''), pool, nc, await jetstreamManager(nc));
  }

  get process(): SpawnedProcess {
    if (!this.proc) throw new Error('the notifier is not started');
    return this.proc;
  }

  async start(env: Record<string, string> = {}): Promise<void> {
    const port = await freePort();
    this.proc = await spawnProcess({
      command: NODE,
      args: [NOTIFIER_MAIN],
      cwd: REPO_ROOT,
      env: {
        ...FAST_NOTIFIER_ENV,
        DATABASE_URL: testDatabaseUrl(),
        NATS_URL: testNatsUrl(),
        NOTIFIER_SCHEMA: this.schema.schema,
        AUTH_SCHEMA: this.schema.schema,
        NATS_PREFIX: this.prefix,
        PORT: String(port),
        ...env,
      },
      readyLine: /"msg":"notifier ready"/,
      readyTimeoutMs: 30_000,
    });
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Creates RECHARGE, METERING and CATALOG as their producers would (the notifier never does). */
  async createProducerStreams(): Promise<void> {
    for (const s of PRODUCER_STREAMS) {
      const name = streamName(this.ns, s.name);
      await ensureStream(this.jsm, {
        name,
        subjects: s.subjects.map((x) => subject(this.ns, x)),
        maxAgeMs: 3_600_000,
        duplicateWindowMs: 120_000,
        maxBytes: 16 * 1024 * 1024,
        maxMsgSize: 64 * 1024,
        discard: 'new',
      });
      this.createdStreams.push(name);
    }
  }

  /** A key of this scope, stored where the notifier reads keys. */
  async createKey(scope: KeyScope): Promise<string> {
    const g = generateKey();
    await this.pool.query('insert into api_keys (id, hash, scope) values ($1, $2, $3)', [g.id, g.hash, JSON.stringify(scope)]);
    return g.key;
  }

  call<T = unknown>(method: string, path: string, body?: unknown): Promise<HttpReply<T>> {
    return this.callAs<T>(TEST_ADMIN_KEY, method, path, body);
  }

  /** `key` undefined sends none. */
  callAs<T = unknown>(key: string | undefined, method: string, path: string, body?: unknown): Promise<HttpReply<T>> {
    return callJson<T>(key, method, `${this.url}${path}`, body);
  }

  /** Publishes a body as JSON (bytes as they are) on `<prefix>.<bare subject>`; a fresh Nats-Msg-Id unless given. */
  async publish(bareSubject: string, body: unknown, msgId = `${this.prefix}-${++this.msgCounter}-${Date.now()}`): Promise<void> {
    const data = body instanceof Uint8Array ? body : Buffer.from(JSON.stringify(body));
    await this.publisher.publish(subject(this.ns, bareSubject), data, { msgId });
  }

  async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    return (await this.pool.query<R>(text, values)).rows;
  }

  async close(): Promise<void> {
    await this.proc?.stop();
    for (const name of this.createdStreams) await this.jsm.streams.delete(name).catch(() => false);
    await this.nc.close();
    await this.pool.end();
    await this.schema.drop();
  }
}
