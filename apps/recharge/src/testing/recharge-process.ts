// Test support for end-to-end tests: real ledger, catalog, metering and recharge processes (the
// built dist/) on one NATS prefix, each on a schema of its own, and the means to drive them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { LEDGER_EVENT_SUBJECTS, RECHARGE_EVENTS_STREAM, streamName, type LedgerEventEnvelope, type RechargeEvent } from '@credence/contracts';
import { createPool } from '@credence/platform-database';
import { createTestSchema, freePort, spawnProcess, TEST_ADMIN_KEY, testDatabaseUrl, testNatsUrl, waitFor, type SpawnedProcess, type TestSchema } from '@credence/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries -- e2e support reuses metering's stack (ledger, catalog and metering processes)
import { MeteringStack, STACK_AUTH_CACHE_MS, type HttpReply } from '../../../metering/src/testing/metering-process.js';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const RECHARGE_MAIN = `${REPO_ROOT}dist/apps/recharge/src/main.js`;
const NODE = `${REPO_ROOT}node_modules/.bin/node`;

/** Short on purpose: retries, polls and leases in milliseconds keep the tests quick. */
export const TEST_RECHARGE_ENV: Readonly<Record<string, string>> = {
  OTEL_SDK_DISABLED: 'true',
  LOG_LEVEL: 'info',
  DB_POOL_MAX: '3',
  RECHARGE_STREAM_MAX_BYTES: String(64 * 1024 * 1024),
  UPSTREAM_TIMEOUT_MS: '1500',
  UPSTREAM_ATTEMPTS: '2',
  UPSTREAM_RETRY_DELAY_MS: '100',
  GATEWAY_TIMEOUT_MS: '1000',
  DECLINE_RETRY_DELAYS_MS: '200,400',
  CONFIRM_POLL_MS: '300',
  CONFIRM_TIMEOUT_MS: '20000',
  DISABLE_AFTER_FAILURES: '2',
  WORK_IDLE_MS: '100',
  WORK_LEASE_MS: '8000',
  THRESHOLD_SYNC_MS: '300',
  OUTBOX_POLL_MS: '50',
  BALANCE_LOW_ACK_WAIT_MS: '3000',
  SANDBOX_CONFIRM_DELAY_MS: '100',
  SANDBOX_TIMEOUT_DELAY_MS: '3000',
  CREDENCE_ADMIN_KEY: TEST_ADMIN_KEY,
  AUTH_CACHE_MS: String(STACK_AUTH_CACHE_MS),
};

export const CARDS = {
  succeeds: '4242424242424242',
  declines: '4000000000000002',
  authenticates: '4000002500003155',
  timesOut: '4000000000000119',
} as const;

export interface RechargeProcess {
  readonly url: string;
  readonly process: SpawnedProcess;
}

export type Purchase = {
  id: string;
  accountId: string;
  trigger: string;
  status: string;
  reason: string | null;
  attempts: number;
  credits: string | null;
  amountMinor: string | null;
  cause: string | null;
  history: { attempt: number; outcome: string; detail: string | null }[];
};

/** Metering's stack plus any number of recharge processes (replicas) on one schema; `close()` removes it all. */
export class RechargeStack {
  readonly processes: RechargeProcess[] = [];

  private constructor(
    readonly metering: MeteringStack,
    readonly schema: TestSchema,
    readonly pool: pg.Pool,
  ) {}

  static async create(name: string, replicas = 1, env: Record<string, string> = {}): Promise<RechargeStack> {
    const metering = await MeteringStack.create(name);
    const schema = await createTestSchema(`e2e_${name}r`);
    const pool = createPool({ connectionString: schema.connectionString, schema: schema.schema, poolMax: 2, applicationName: 'recharge-e2e' });
    const stack = new RechargeStack(metering, schema, pool);
    for (let i = 0; i < replicas; i++) await stack.start(env);
    return stack;
  }

  get ns() {
    return this.metering.ledger.ns;
  }

  /** Starts one more recharge process and waits for its "recharge ready". */
  async start(env: Record<string, string> = {}): Promise<RechargeProcess> {
    const port = await freePort();
    const proc = await spawnProcess({
      command: NODE,
      args: [RECHARGE_MAIN],
      cwd: REPO_ROOT,
      env: {
        ...TEST_RECHARGE_ENV,
        DATABASE_URL: testDatabaseUrl(),
        NATS_URL: testNatsUrl(),
        RECHARGE_SCHEMA: this.schema.schema,
        NATS_PREFIX: this.metering.prefix,
        LEDGER_URL: this.metering.ledgerProcess.url,
        METERING_URL: this.metering.url,
        // Keys live in metering's schema.
        AUTH_SCHEMA: this.metering.schema.schema,
        PORT: String(port),
        ...env,
      },
      readyLine: /"msg":"recharge ready"/,
      readyTimeoutMs: 30_000,
    });
    const p = { url: `http://127.0.0.1:${port}`, process: proc };
    this.processes.push(p);
    return p;
  }

  /** As the test admin, on the first recharge process still running (or with `key`, or on `replica`). */
  call<T = unknown>(method: string, path: string, body?: unknown, options: { key?: string | undefined; replica?: number } = {}): Promise<HttpReply<T>> {
    const target = options.replica === undefined ? this.processes.find((p) => p.process.exit === undefined) : this.processes[options.replica];
    const url = target?.url ?? '';
    return this.metering.callAs<T>('key' in options ? options.key : TEST_ADMIN_KEY, method, path, body, url);
  }

  /** Loads a seed catalog of deploy/catalogs into the stack's catalog (WAzion is there from boot). */
  async loadSeedCatalog(name: string): Promise<void> {
    const document = JSON.parse(readFileSync(`${REPO_ROOT}deploy/catalogs/${name}.json`, 'utf8')) as unknown;
    const r = await this.metering.catalog.call('POST', '/api/catalog/catalogs', document);
    if (r.status !== 201) throw new Error(`catalog ${name} failed: ${r.status} ${JSON.stringify(r.body)}`);
  }

  /** The ledger's purchase grants of the account (how many times credits were granted). */
  async purchaseGrants(accountId: string): Promise<{ grantId: string; amount: string }[]> {
    const rows = await this.metering.ledger.query<{ data: { grantId: string; amount: string } }>(
      "select data from events where account_id = $1 and type = 'GrantIssued' and data->>'source' = 'purchase' order by seq",
      [accountId],
    );
    return rows.map((r) => ({ grantId: r.data.grantId, amount: r.data.amount }));
  }

  /** The sandbox provider's charges of the account. */
  async charges(accountId: string): Promise<{ idempotency_key: string; status: string }[]> {
    return this.query('select idempotency_key, status from sandbox_charges where account_id = $1 order by created_at', [accountId]);
  }

  async subscribe(accountId: string, catalogId: string, planId: string): Promise<void> {
    const r = await this.metering.call('PUT', `/v1/accounts/${encodeURIComponent(accountId)}/subscription`, { catalogId, planId });
    if (r.status !== 200) throw new Error(`subscription failed: ${r.status} ${JSON.stringify(r.body)}`);
  }

  async saveCard(accountId: string, cardNumber: string): Promise<string> {
    const r = await this.call<{ id: string }>('POST', '/api/billing/payment-methods', { accountId, cardNumber });
    if (r.status !== 201) throw new Error(`payment method failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id;
  }

  /** Promotional credits straight into the ledger (not `purchase`, so they never pass for a recharge). */
  async fund(accountId: string, key: string, amount: string): Promise<void> {
    const r = await this.metering.ledgerProcess.post('/api/ledger/grants', { key, accountId, source: 'promo', amount });
    if (r.status !== 200) throw new Error(`grant failed: ${r.status} ${JSON.stringify(r.body)}`);
  }

  /** Post-paid usage straight into the ledger: the way to take the balance down. */
  async use(accountId: string, key: string, amount: string): Promise<void> {
    const r = await this.metering.ledgerProcess.post('/api/ledger/usage', { key, accountId, amount });
    if (r.status !== 200) throw new Error(`usage failed: ${r.status} ${JSON.stringify(r.body)}`);
  }

  async purchases(accountId: string): Promise<Purchase[]> {
    const r = await this.call<{ purchases: Purchase[] }>('GET', `/api/billing/purchases?accountId=${encodeURIComponent(accountId)}`);
    if (r.status !== 200) throw new Error(`purchases failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.purchases;
  }

  /** Waits until the account has `count` purchases, all in a final status, and returns them. */
  async settled(accountId: string, count = 1, timeoutMs = 20_000): Promise<Purchase[]> {
    return waitFor(
      async () => {
        const list = await this.purchases(accountId);
        return list.length === count && list.every((p) => ['granted', 'abandoned', 'skipped'].includes(p.status)) ? list : undefined;
      },
      { what: `${count} settled purchase(s) of ${accountId}`, timeoutMs, intervalMs: 100 },
    );
  }

  /** Waits for the ledger's threshold of the account to match its auto-recharge settings. */
  async thresholdConfigured(accountId: string): Promise<void> {
    await waitFor(async () => (await this.call<{ ledgerThreshold: string }>('GET', `/api/billing/auto-recharge?accountId=${encodeURIComponent(accountId)}`)).body.ledgerThreshold === 'configured', {
      what: `the ledger threshold of ${accountId}`,
      timeoutMs: 10_000,
    });
  }

  /** Every message of the RECHARGE stream about the account, in stream order. */
  async rechargeEvents(accountId?: string): Promise<(RechargeEvent & { msgId: string | undefined })[]> {
    const jsm = this.metering.ledger.jsm;
    const name = streamName(this.ns, RECHARGE_EVENTS_STREAM);
    const info = await jsm.streams.info(name);
    const out = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(name, { seq });
      if (!m) continue;
      const e = m.json<RechargeEvent>();
      if (accountId === undefined || e.accountId === accountId) out.push({ ...e, msgId: m.header.get('Nats-Msg-Id') || undefined });
    }
    return out;
  }

  /** The ledger's BalanceLow envelopes of the account, as streamed. */
  async balanceLows(accountId: string): Promise<LedgerEventEnvelope[]> {
    const events = await this.metering.ledger.readEventStream();
    return events.filter((e) => e.envelope.type === 'BalanceLow' && e.envelope.accountId === accountId).map((e) => e.envelope);
  }

  /** The same crossing once more on the LEDGER stream, past its duplicate detection (a fresh Nats-Msg-Id). */
  async redeliver(envelope: LedgerEventEnvelope): Promise<void> {
    const ledger = this.metering.ledger;
    await ledger.publisher.publish(ledger.eventSubject(LEDGER_EVENT_SUBJECTS.BalanceLow), Buffer.from(JSON.stringify(envelope)), { msgId: ledger.freshMsgId() });
  }

  async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    return (await this.pool.query<R>(text, values)).rows;
  }

  async stop(replica: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.processes[replica]?.process.stop(signal);
  }

  async close(): Promise<void> {
    await Promise.all(this.processes.map((_, i) => this.stop(i)));
    await this.metering.ledger.jsm.streams.delete(streamName(this.ns, RECHARGE_EVENTS_STREAM)).catch(() => false);
    await this.pool.end();
    await this.schema.drop();
    await this.metering.close();
  }
}
