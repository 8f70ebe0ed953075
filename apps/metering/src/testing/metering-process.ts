// Test support for end-to-end tests: real ledger, catalog and metering processes (the built
// dist/) sharing one NATS prefix, each on a schema of its own, and the means to drive them.
import { fileURLToPath } from 'node:url';
import { METERING_EVENTS_STREAM, METERING_USAGE_RECORD_SUBJECT, METERING_USAGE_STREAM, CATALOG_EVENTS_STREAM, streamName, subject } from '@credence/contracts';
import { createPool } from '@credence/platform-database';
import { callJson, createTestSchema, spawnProcess, TEST_ADMIN_KEY, testDatabaseUrl, testNatsUrl, type SpawnedProcess, type TestSchema, freePort } from '@credence/testing';
import type pg from 'pg';
// eslint-disable-next-line @nx/enforce-module-boundaries -- e2e support reuses the ledger's and the catalog's process helpers
import { LedgerDeployment, type HttpReply, type LedgerProcess } from '../../../ledger/src/testing/ledger-process.js';
// eslint-disable-next-line @nx/enforce-module-boundaries -- e2e support reuses the ledger's and the catalog's process helpers
import { CatalogDeployment } from '../../../catalog/src/testing/catalog-process.js';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const METERING_MAIN = `${REPO_ROOT}dist/apps/metering/src/main.js`;
const NODE = `${REPO_ROOT}node_modules/.bin/node`;
/** How long a revoked key may keep working in this stack's processes. */
export const STACK_AUTH_CACHE_MS = 1_000;

export type { HttpReply };

export interface Balance {
  readonly total: string;
  readonly available: string;
  readonly held: string;
  readonly debt: string;
}

/** A ledger, a catalog and a metering process on one prefix; `close()` stops them and removes what they made. */
export class MeteringStack {
  private proc: SpawnedProcess | undefined;
  url = '';

  private constructor(
    readonly ledger: LedgerDeployment,
    readonly ledgerProcess: LedgerProcess,
    readonly catalog: CatalogDeployment,
    readonly schema: TestSchema,
    readonly pool: pg.Pool,
  ) {}

  static async create(name: string): Promise<MeteringStack> {
    const ledger = await LedgerDeployment.create(name);
    const catalog = await CatalogDeployment.create(`${name}c`);
    const schema = await createTestSchema(`e2e_${name}m`);
    const pool = createPool({ connectionString: schema.connectionString, schema: schema.schema, poolMax: 2, applicationName: 'metering-e2e' });
    // Keys live in metering's schema; the ledger and the catalog read them there.
    const auth = { AUTH_SCHEMA: schema.schema, AUTH_CACHE_MS: String(STACK_AUTH_CACHE_MS) };
    // A subscription sets the plan's allocation as the ledger's monthly allowance; its grant would land
    // in the middle of tests that count credits exactly. They see the AllowanceSet, not the grant
    // (the ledger's own tests cover the grant).
    const stack = new MeteringStack(ledger, await ledger.start({ ...auth, RESET_INTERVAL_MS: '3600000' }), catalog, schema, pool);
    // One prefix for all three: metering reaches the ledger and the catalog under its own.
    await catalog.start({ NATS_PREFIX: ledger.prefix, ...auth });
    await stack.start();
    return stack;
  }

  get prefix(): string {
    return this.ledger.prefix;
  }

  private async start(): Promise<void> {
    const port = await freePort();
    this.proc = await spawnProcess({
      command: NODE,
      args: [METERING_MAIN],
      cwd: REPO_ROOT,
      env: {
        OTEL_SDK_DISABLED: 'true',
        LOG_LEVEL: 'info',
        DB_POOL_MAX: '3',
        DATABASE_URL: testDatabaseUrl(),
        NATS_URL: testNatsUrl(),
        METERING_SCHEMA: this.schema.schema,
        NATS_PREFIX: this.prefix,
        LEDGER_URL: this.ledgerProcess.url,
        CATALOG_URL: this.catalog.url,
        PORT: String(port),
        PLAN_CACHE_MS: '0',
        USAGE_STREAM_MAX_BYTES: String(64 * 1024 * 1024),
        EVENT_STREAM_MAX_BYTES: String(16 * 1024 * 1024),
        CREDENCE_ADMIN_KEY: TEST_ADMIN_KEY,
        AUTH_CACHE_MS: String(STACK_AUTH_CACHE_MS),
      },
      readyLine: /"msg":"metering ready"/,
      readyTimeoutMs: 30_000,
    });
    this.url = `http://127.0.0.1:${port}`;
  }

  /** As the test admin. */
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<HttpReply<T>> {
    return this.callAs<T>(TEST_ADMIN_KEY, method, path, body);
  }

  /** `key` undefined sends no key; `baseUrl` reaches the ledger or the catalog instead. */
  callAs<T = unknown>(key: string | undefined, method: string, path: string, body?: unknown, baseUrl = this.url): Promise<HttpReply<T>> {
    return callJson<T>(key, method, `${baseUrl}${path}`, body);
  }

  async grant(accountId: string, key: string, amount: string): Promise<void> {
    const r = await this.ledgerProcess.post('/api/ledger/grants', { key, accountId, source: 'purchase', amount });
    if (r.status !== 200) throw new Error(`grant failed: ${r.status} ${JSON.stringify(r.body)}`);
  }

  async balance(accountId: string): Promise<Balance> {
    const r = await this.ledgerProcess.get<{ balance: Balance }>(`/api/billing/credits?accountId=${encodeURIComponent(accountId)}`);
    return r.body.balance;
  }

  /** Publishes raw bytes (or a body as JSON) on metering.v1.usage.record. */
  async publishUsage(body: unknown): Promise<void> {
    const data = body instanceof Uint8Array ? body : Buffer.from(JSON.stringify(body));
    await this.ledger.publisher.publish(subject(this.ledger.ns, METERING_USAGE_RECORD_SUBJECT), data, { msgId: this.ledger.freshMsgId() });
  }

  async requestAuthorize<T = unknown>(body: unknown): Promise<T> {
    const msg = await this.ledger.nc.request(subject(this.ledger.ns, 'metering.v1.authorize'), Buffer.from(JSON.stringify(body)), { timeout: 10_000 });
    return JSON.parse(Buffer.from(msg.data).toString('utf8')) as T;
  }

  /** Every message on stream METERING so far, parsed, in stream order. */
  async meteringEvents<T = unknown>(): Promise<T[]> {
    const name = streamName(this.ledger.ns, METERING_EVENTS_STREAM);
    const info = await this.ledger.jsm.streams.info(name);
    const out: T[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await this.ledger.jsm.streams.getMessage(name, { seq }).catch(() => undefined);
      if (m) out.push(JSON.parse(Buffer.from(m.data).toString('utf8')) as T);
    }
    return out;
  }

  async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    return (await this.pool.query<R>(text, values)).rows;
  }

  async close(): Promise<void> {
    await this.proc?.stop();
    const ns = this.ledger.ns;
    for (const s of [METERING_USAGE_STREAM, METERING_EVENTS_STREAM, CATALOG_EVENTS_STREAM]) await this.ledger.jsm.streams.delete(streamName(ns, s)).catch(() => false);
    await this.pool.end();
    await this.schema.drop();
    await this.catalog.close();
    await this.ledger.close();
  }
}
