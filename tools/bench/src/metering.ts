import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import pg from 'pg';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { LEDGER_COMMAND_SUBJECTS, METERING_AUTHORIZE_SUBJECT, METERING_USAGE_RECORD_SUBJECT, streamName, subject } from '@credence/contracts';
import { seededRandom } from '@credence/kernel';
import { generateKey } from '@credence/platform-auth';
import { Publisher } from '@credence/platform-messaging';
import { freePort, spawnProcess, stopAll, testDatabaseUrl, testNatsUrl, waitFor, type SpawnedProcess } from '@credence/testing';
import { coresOf, cpuSnapshot, cpuUsage, describeCpu, peakRssMb, serviceNodeArgs, type CpuSnapshot } from './processes.js';
import { rawPublishPerSecond } from './raw-limits.js';
import { percentiles, round, zipfSampler } from './stats.js';

interface Sizes {
  accounts: number;
  authRatePerS: number;
  authSeconds: number;
  capacitySeconds: number;
  usage: number;
  rawPublish: number;
}

const FULL: Sizes = { accounts: 10_000, authRatePerS: 1_000, authSeconds: 10, capacitySeconds: 5, usage: 100_000, rawPublish: 50_000 };
const QUICK: Sizes = { accounts: 10_000, authRatePerS: 1_000, authSeconds: 3, capacitySeconds: 2, usage: 20_000, rawPublish: 20_000 };

/** The seed catalog and its plan: WAzion's free plan has no fair-use limits, so nothing is refused for them. */
const CATALOG = 'wazion';
const PLAN = 'free';
/** Account ids `bench:acc-<n>`: one tenant-scoped workload key covers them all. */
const TENANT = 'bench';
const GRANT = '1000000000';
/** No answer within this is a failed authorization (its latency counted up to the timeout). */
const REQUEST_TIMEOUT_MS = 5_000;
/** Neither the ledger nor metering made progress on usage for this long: the run fails. */
const STALL_MS = 60_000;

const log = (line: string) => process.stdout.write(`${line}\n`);
const enc = (o: unknown) => Buffer.from(JSON.stringify(o));
const accountId = (n: number) => `${TENANT}:acc-${n}`;

/** One authorization's answer as the load generator sees it. */
type Outcome = 'approved' | 'refused' | 'failed';

interface OpenLoopResult {
  readonly sent: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly counts: Record<Outcome, number>;
  /** Refusal reasons and failure details, with how often each came. */
  readonly why: Map<string, number>;
}

/**
 * Sends `total` requests at `ratePerS`, open loop: each leaves at its scheduled time whether or not
 * earlier ones were answered, and its latency runs from that scheduled time, so a stall of the
 * service (or of this generator) shows as the queueing it causes instead of being left out.
 */
async function openLoop(total: number, ratePerS: number, send: (i: number) => Promise<{ outcome: Outcome; why?: string }>): Promise<OpenLoopResult> {
  const latencies: number[] = [];
  const counts: Record<Outcome, number> = { approved: 0, refused: 0, failed: 0 };
  const why = new Map<string, number>();
  const started = performance.now();
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / ratePerS;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      send(i).then(
        (r) => {
          latencies.push(performance.now() - due);
          counts[r.outcome]++;
          if (r.why !== undefined) why.set(r.why, (why.get(r.why) ?? 0) + 1);
        },
        (e: unknown) => {
          latencies.push(performance.now() - due);
          counts.failed++;
          const text = e instanceof Error ? e.message : String(e);
          why.set(text, (why.get(text) ?? 0) + 1);
        },
      ),
    );
  }
  await Promise.all(pending);
  const seconds = (performance.now() - started) / 1000;
  const [p50, p99, max] = percentiles(latencies, [50, 99, 100]);
  return { sent: total, perSecond: counts.approved / seconds, p50: p50 ?? NaN, p99: p99 ?? NaN, max: max ?? NaN, counts, why };
}

/** Keeps `concurrency` requests in flight for `seconds`: how many the service answers at most. */
async function closedLoop(seconds: number, concurrency: number, send: (i: number) => Promise<{ outcome: Outcome }>): Promise<{ perSecond: number; counts: Record<Outcome, number> }> {
  const counts: Record<Outcome, number> = { approved: 0, refused: 0, failed: 0 };
  const started = performance.now();
  const end = started + seconds * 1000;
  let next = 0;
  const lane = async () => {
    while (performance.now() < end) {
      const r = await send(next++).catch(() => ({ outcome: 'failed' as const }));
      counts[r.outcome]++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { perSecond: counts.approved / ((performance.now() - started) / 1000), counts };
}

/**
 * A JSON request over a keep-alive connection pool. No answer within REQUEST_TIMEOUT_MS of the call
 * (waiting for a free connection included) fails it, as a NATS request times out.
 */
function httpCall(agent: http.Agent, base: string, key: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      `${base}${path}`,
      {
        method,
        agent,
        headers: { authorization: `Bearer ${key}`, ...(data === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(deadline);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS);
    req.on('error', (e) => {
      clearTimeout(deadline);
      reject(e);
    });
    req.end(data);
  });
}

/** Runs `fn` over 0..n-1 with at most `concurrency` at once. */
async function forEachConcurrently(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, concurrency) }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

/** A generation to authorize: a reply suggestion over a history of 0-59 messages (500-2,000 credits). */
const estimate = (i: number) => ({ kind: 'feature', feature: 'reply-suggestion', dimensions: { historyMessages: String(i % 60) } });

/**
 * Runs a real ledger, catalog and metering process, each on a schema of its own and all on one
 * fresh subject prefix, loads a seed catalog, subscribes and funds accounts through the services'
 * own APIs, then measures authorizations (NATS and HTTP, at a fixed arrival rate) and post-paid
 * usage end to end (stream in, committed in the ledger) against the raw JetStream publish rate
 * measured in the same run.
 */
export async function benchMetering(quick: boolean): Promise<void> {
  const sizes = quick ? QUICK : FULL;
  const tag = randomBytes(4).toString('hex');
  const prefix = `bench${tag}`;
  const schemas = { ledger: `bench_${tag}_ledger`, catalog: `bench_${tag}_catalog`, metering: `bench_${tag}_metering` };
  const databaseUrl = testDatabaseUrl();
  const natsUrl = testNatsUrl();
  const ns = { prefix };
  const adminKey = generateKey().key;
  const nc = await connect({ servers: natsUrl, name: 'credence-bench' });
  const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const count = async (q: string, values: unknown[] = []) => Number((await sql.query<{ n: string }>(q, values)).rows[0]?.n ?? 0);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const services = new Map<string, SpawnedProcess>();

  const cpuNow = () => cpuSnapshot(new Map([...services].map(([name, p]) => [p.pid, name])));
  /** Most cores that processes outside the benchmark took during a measured phase: a shared machine reads low. */
  let othersCores = 0;
  const cpuSince = (from: CpuSnapshot, operations?: number): string => {
    const u = cpuUsage(from, cpuNow());
    othersCores = Math.max(othersCores, coresOf(u, 'other processes'));
    return describeCpu(u, operations);
  };

  log(`metering benchmark (${quick ? 'quick' : 'full'}): schemas ${Object.values(schemas).join(', ')}, subject prefix ${prefix}`);
  log('measuring raw limits ...');
  const cpuRaw = cpuNow();
  const rawPublish = await rawPublishPerSecond(nc, prefix, sizes.rawPublish);
  log(`  raw JetStream publish (1,000 in flight): ${round(rawPublish)} msg/s`);
  log(`  ${cpuSince(cpuRaw)}`);

  const start = async (name: 'ledger' | 'catalog' | 'metering', env: Record<string, string>): Promise<string> => {
    const port = await freePort();
    const proc = await spawnProcess({
      command: 'node_modules/.bin/node',
      // BENCH_PROFILE_DIR=<dir> writes <service>.cpuprofile for each of the three (open them in Chrome DevTools).
      args: [...serviceNodeArgs(name, undefined), `dist/apps/${name}/src/main.js`],
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        NATS_URL: natsUrl,
        NATS_PREFIX: prefix,
        PORT: String(port),
        OTEL_SDK_DISABLED: 'true',
        LOG_LEVEL: 'info',
        CREDENCE_ADMIN_KEY: adminKey,
        // Keys live in metering's schema; the ledger and the catalog read them there.
        AUTH_SCHEMA: schemas.metering,
        ...env,
        // BENCH_LEDGER_ENV, BENCH_CATALOG_ENV, BENCH_METERING_ENV="NAME=value ...": settings to compare.
        ...Object.fromEntries(
          (process.env[`BENCH_${name.toUpperCase()}_ENV`] ?? '')
            .split(' ')
            .filter(Boolean)
            .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
        ),
      },
      readyLine: new RegExp(`"msg":"${name} ready"`),
      readyTimeoutMs: 60_000,
    });
    services.set(name, proc);
    return `http://127.0.0.1:${port}`;
  };
  const admin = (base: string, method: string, path: string, body?: unknown) => httpCall(agent, base, adminKey, method, path, body);

  try {
    const ledgerUrl = await start('ledger', {
      LEDGER_SCHEMA: schemas.ledger,
      COMMAND_STREAM_MAX_BYTES: String(256 * 1024 * 1024),
      EVENT_STREAM_MAX_BYTES: String(512 * 1024 * 1024),
    });
    // The seed is loaded below through the catalog's API, not at boot.
    const catalogUrl = await start('catalog', { CATALOG_SCHEMA: schemas.catalog, CATALOG_DEFAULT: '' });
    const meteringUrl = await start('metering', {
      METERING_SCHEMA: schemas.metering,
      LEDGER_URL: ledgerUrl,
      CATALOG_URL: catalogUrl,
      USAGE_STREAM_MAX_BYTES: String(256 * 1024 * 1024),
    });
    const overrides = ['LEDGER', 'CATALOG', 'METERING'].map((s) => process.env[`BENCH_${s}_ENV`] && `${s.toLowerCase()}: ${process.env[`BENCH_${s}_ENV`]}`).filter(Boolean);
    log(`  ledger, catalog and metering processes running (services' defaults but for schemas, prefix and stream sizes${overrides.length ? `; ${overrides.join('; ')}` : ''})`);

    const seed = readFileSync(`deploy/catalogs/${CATALOG}.json`, 'utf8');
    const loaded = await admin(catalogUrl, 'POST', '/api/catalog/catalogs', JSON.parse(seed));
    if (loaded.status !== 201) throw new Error(`loading deploy/catalogs/${CATALOG}.json: ${loaded.status} ${loaded.body}`);
    const fairUse = (JSON.parse(seed) as { plans: Array<{ id: string; versions: Array<{ fairUse: object }> }> }).plans.find((p) => p.id === PLAN)?.versions.at(-1)?.fairUse;
    const unlimited = fairUse !== undefined && Object.keys(fairUse).length === 0;
    log(`  catalog ${CATALOG} loaded; plan ${PLAN} fair use ${JSON.stringify(fairUse)}${unlimited ? ' (no daily, monthly or concurrency limit to refuse on)' : ': refusals will be counted'}`);

    log(`subscribing and funding ${sizes.accounts} accounts ...`);
    const setupStarted = performance.now();
    await forEachConcurrently(sizes.accounts, 32, async (n) => {
      const r = await admin(meteringUrl, 'PUT', `/v1/accounts/${encodeURIComponent(accountId(n))}/subscription`, { catalogId: CATALOG, planId: PLAN });
      if (r.status !== 200) throw new Error(`subscription of ${accountId(n)}: ${r.status} ${r.body}`);
    });
    const publisher = new Publisher(nc, { ackTimeoutMs: 30_000 });
    const grantSubject = subject(ns, LEDGER_COMMAND_SUBJECTS.IssueGrant);
    await publisher.publishMany(
      Array.from({ length: sizes.accounts }, (_, n) => ({
        subject: grantSubject,
        data: enc({ key: `grant-${n}`, accountId: accountId(n), source: 'purchase', amount: GRANT }),
        msgId: `grant-${n}`,
      })),
      { maxInFlight: 1_000 },
    );
    await waitFor(async () => (await count(`select count(*)::text as n from ${schemas.ledger}.commands where key like 'grant-%'`)) >= sizes.accounts, {
      what: 'grants applied',
      timeoutMs: 120_000,
      intervalMs: 100,
    });
    // A subscription gives the account the plan's free monthly allowance, whose first period the
    // ledger's reset loop opens (every RESET_INTERVAL_MS); and its outbox relay publishes every event.
    // Both are one-off work of the set-up: wait for them rather than measure them.
    const ledgerIdle = async () =>
      (await count(`select count(*)::text as n from ${schemas.ledger}.accounts where allowance_free_monthly is not null and last_reset_period is null`)) === 0 &&
      (await count(`select coalesce(max(seq), 0)::text as n from ${schemas.ledger}.events`)) <=
        (await count(`select coalesce(max(last_seq), 0)::text as n from ${schemas.ledger}.outbox_position`));
    await waitFor(ledgerIdle, { what: 'the ledger to open the allowances and publish its events', timeoutMs: 180_000, intervalMs: 250 });
    const created = await admin(meteringUrl, 'POST', '/v1/admin/api-keys', { scope: { kind: 'tenant', tenant: TENANT }, label: 'bench workload' });
    if (created.status !== 201) throw new Error(`creating the workload key: ${created.status} ${created.body}`);
    const workloadKey = (JSON.parse(created.body) as { key: string }).key;
    log(
      `  ${round((performance.now() - setupStarted) / 1000, 1)} s: subscriptions over HTTP, grants of ${GRANT} credits over the ledger's stream, allowances opened, one tenant-scoped workload key`,
    );

    // Authorization i goes to account (i * 7919) mod accounts: neighbours in time land on different accounts.
    const authAccount = (i: number) => accountId((i * 7919) % sizes.accounts);
    const authorizeNats = async (key: string, i: number): Promise<{ outcome: Outcome; why?: string }> => {
      const m = await nc.request(subject(ns, METERING_AUTHORIZE_SUBJECT), enc({ key, accountId: authAccount(i), estimate: estimate(i) }), { timeout: REQUEST_TIMEOUT_MS });
      // The transport's own failures (busy, a handler error) come back as an empty body with error headers.
      if (m.data.length === 0) return { outcome: 'failed', why: `service error ${m.headers?.get('Nats-Service-Error-Code') ?? ''} ${m.headers?.get('Nats-Service-Error') ?? ''}` };
      const r = m.json<{ status?: string; reason?: string; detail?: string; error?: unknown }>();
      if (r.status === 'approved') return { outcome: 'approved' };
      if (r.status === 'refused') return { outcome: 'refused', why: `refused ${r.reason}` };
      return { outcome: 'failed', why: `${r.status ?? 'error'} ${JSON.stringify(r.detail ?? r.error ?? '')}`.slice(0, 200) };
    };
    const authorizeHttp = async (key: string, i: number): Promise<{ outcome: Outcome; why?: string }> => {
      const r = await httpCall(agent, meteringUrl, workloadKey, 'POST', '/v1/authorizations', { key, accountId: authAccount(i), estimate: estimate(i) });
      if (r.status === 200) return { outcome: 'approved' };
      if (r.status === 422) return { outcome: 'refused', why: `refused ${(JSON.parse(r.body) as { reason?: string }).reason}` };
      return { outcome: 'failed', why: `HTTP ${r.status} ${r.body.slice(0, 200)}` };
    };

    /**
     * Metering answers requests a client gave up on (HTTP has no load shedding): waits until it has
     * stopped writing authorizations, so that the next phase does not inherit the backlog.
     */
    const quiesce = async () => {
      const started = performance.now();
      const stored = () => count(`select count(*)::text as n from ${schemas.metering}.authorizations`);
      let [before, stableSince] = [await stored(), performance.now()];
      while (performance.now() - stableSince < 2_000) {
        await new Promise((r) => setTimeout(r, 250));
        const now = await stored();
        if (now !== before) [before, stableSince] = [now, performance.now()];
      }
      const backlog = (performance.now() - started) / 1000 - 2;
      if (backlog > 0.5) log(`  (metering went on with requests abandoned by their client for ${round(backlog, 1)} s)`);
    };

    const total = sizes.authRatePerS * sizes.authSeconds;
    const phases: Record<string, { result: OpenLoopResult; cpu: string }> = {};
    for (const [transport, send] of [
      ['NATS', authorizeNats],
      ['HTTP', authorizeHttp],
    ] as const) {
      const tx = transport.toLowerCase();
      // One second at the same rate first, not counted: connections open and the code is compiled.
      await openLoop(sizes.authRatePerS, sizes.authRatePerS, (i) => send(`warm-${tx}-${i}`, 5_000_000 + i));
      await quiesce();
      log(`authorizations over ${transport}: ${sizes.authRatePerS}/s for ${sizes.authSeconds} s, open loop, over ${sizes.accounts} accounts ...`);
      const cpu0 = cpuNow();
      const result = await openLoop(total, sizes.authRatePerS, (i) => send(`${tx}-${i}`, i));
      const cpu = cpuSince(cpu0);
      phases[transport] = { result, cpu };
      const { counts } = result;
      log(
        `  ${round(result.perSecond)} approved/s; latency from the scheduled time p50 ${round(result.p50, 2)} ms, p99 ${round(result.p99, 2)} ms, max ${round(result.max, 1)} ms; ` +
          `${counts.approved} approved, ${counts.refused} refused, ${counts.failed} failed of ${result.sent}`,
      );
      for (const [why, n] of result.why) log(`    ${n} × ${why}`);
      log(`  ${cpu}`);
      await quiesce();
    }

    log(`authorization capacity over NATS: 64 in flight for ${sizes.capacitySeconds} s (closed loop) ...`);
    const cpuCapacity = cpuNow();
    const capacity = await closedLoop(sizes.capacitySeconds, 64, (i) => authorizeNats(`cap-${i}`, 9_000_000 + i));
    log(`  ${round(capacity.perSecond)} approved/s (${capacity.counts.approved} approved, ${capacity.counts.refused} refused, ${capacity.counts.failed} failed)`);
    log(`  ${cpuSince(cpuCapacity, capacity.counts.approved)}`);

    const e2e = await usageEndToEnd();
    // What the services complained about during the run (retries, upstream timeouts, handler errors).
    for (const [name, proc] of services) {
      const problems = proc.lines.filter((l) => /"level":"(warn|error|fatal)"|\bERROR\b|\bWARN\b/.test(l));
      const kinds = new Map<string, number>();
      for (const l of problems) {
        // Pino's JSON message, or what Nest's coloured line says after its last tag.
        const plain = l.replace(/\x1b\[[0-9;]*m/g, '');
        const text = (/"msg":"([^"]*)"/.exec(plain)?.[1] ?? plain.replace(/^.*\] /, '')).replace(/\d+/g, 'N').slice(0, 160);
        kinds.set(text, (kinds.get(text) ?? 0) + 1);
      }
      log(`${name} logged ${problems.length} warnings or errors${problems.length ? ':' : ''}`);
      for (const [text, n] of [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 5)) log(`  ${n} × ${text}`);
    }
    const meteringRssMb = peakRssMb(services.get('metering')?.pid ?? 0);
    const nats = phases['NATS']!.result;
    const httpAuth = phases['HTTP']!.result;
    const refusedOrFailed = nats.counts.refused + nats.counts.failed + httpAuth.counts.refused + httpAuth.counts.failed;

    const ratio = (x: number, of: number) => round(x / of, 2);
    log('');
    log(`authorizations at ${sizes.authRatePerS}/s: NATS p99 ${round(nats.p99, 2)} ms (target ≤ 15), HTTP p99 ${round(httpAuth.p99, 2)} ms (target ≤ 25); capacity ${round(capacity.perSecond)}/s`);
    log(`usage end to end ${round(e2e.perSecond)}/s = ${ratio(e2e.perSecond, rawPublish)} of raw publish (target ≥ 8,000/s, ≥ 0.4); publish->commit p99 ${e2e.p99} ms`);
    log(`metering peak RSS ${round(meteringRssMb)} MB`);
    if (othersCores > 0.1) log(`NOTE: other processes on this machine took up to ${round(othersCores, 2)} cores during a measured phase: these figures read low`);
    if (refusedOrFailed > 0) log(`NOTE: ${refusedOrFailed} authorizations were refused or failed (listed above)`);
    log(
      `BENCH metering auth_nats_p50_ms=${round(nats.p50, 2)} auth_nats_p99_ms=${round(nats.p99, 2)} auth_http_p50_ms=${round(httpAuth.p50, 2)} ` +
        `auth_http_p99_ms=${round(httpAuth.p99, 2)} auth_per_s=${round(nats.perSecond)} auth_http_per_s=${round(httpAuth.perSecond)} ` +
        `auth_capacity_per_s=${round(capacity.perSecond)} auth_refused=${nats.counts.refused + httpAuth.counts.refused} ` +
        `auth_failed=${nats.counts.failed + httpAuth.counts.failed} e2e_per_s=${round(e2e.perSecond)} e2e_p50_ms=${e2e.p50} e2e_p99_ms=${e2e.p99} ` +
        `raw_publish_per_s=${round(rawPublish)} e2e_ratio_raw=${ratio(e2e.perSecond, rawPublish)} rss_mb=${round(meteringRssMb)} others_cores=${round(othersCores, 2)} quick=${quick}`,
    );
    // Refusals mean the set-up is wrong (funds, limits): the latencies would not be the figure asked for.
    if (nats.counts.refused + httpAuth.counts.refused > 0) process.exitCode = 1;
  } finally {
    agent.destroy();
    await stopAll();
    // Every stream of the prefix, whichever the services made (streamName: PREFIX_NAME).
    const jsm = await jetstreamManager(nc);
    const ours: string[] = [];
    for await (const name of jsm.streams.names()) if (name.startsWith(streamName(ns, ''))) ours.push(name);
    for (const name of ours) await jsm.streams.delete(name).catch(() => undefined);
    await nc.drain();
    // BENCH_KEEP=1 leaves the schemas behind for EXPLAIN and friends.
    if (process.env['BENCH_KEEP'] !== '1') for (const s of Object.values(schemas)) await sql.query(`drop schema if exists ${s} cascade`);
    else log(`kept schemas ${Object.values(schemas).join(', ')}`);
    await sql.end();
  }

  /**
   * Publishes the usage events on metering's stream as fast as the publisher goes and waits until
   * the ledger has committed every one; checks that each was charged exactly once, at the price
   * metering recorded.
   */
  async function usageEndToEnd(): Promise<{ perSecond: number; p50: number; p99: number }> {
    const n = sizes.usage;
    log(`post-paid usage end to end: ${n} events on ${subject(ns, METERING_USAGE_RECORD_SUBJECT)} over ${sizes.accounts} accounts (Zipf s=1.1), until committed in the ledger ...`);
    const pick = zipfSampler(sizes.accounts, 1.1, seededRandom(42));
    const usageSubject = subject(ns, METERING_USAGE_RECORD_SUBJECT);
    const occurredAt = new Date().toISOString();
    // Product searches returning 0-29 products: 100, 200 or 300 credits each.
    const events = Array.from({ length: n }, (_, i) => ({
      key: `u-${i}`,
      accountId: accountId(pick()),
      usage: { kind: 'feature', feature: 'product-search', dimensions: { productsReturned: String(i % 30) } },
      occurredAt,
      resource: { projectId: `p${i % 7}` },
    }));
    const publisher = new Publisher(nc, { ackTimeoutMs: 30_000 });
    const committed = () => count(`select count(*)::text as n from ${schemas.ledger}.commands where key like 'u-%'`);
    const cpu0: CpuSnapshot = cpuNow();
    const sentAt = new Map<string, number>();
    const chunk = 2_000;
    const firstSent = Date.now();
    const publishing = (async () => {
      for (let i = 0; i < n; i += chunk) {
        const slice = events.slice(i, i + chunk);
        const t = Date.now();
        for (const e of slice) sentAt.set(e.key, t);
        await publisher.publishMany(
          slice.map((e) => ({ subject: usageSubject, data: enc(e), msgId: e.key })),
          { maxInFlight: 1_000 },
        );
      }
      return Date.now();
    })();
    let last = { n: 0, at: performance.now() };
    while (last.n < n) {
      await new Promise((r) => setTimeout(r, 200));
      const now = await committed();
      if (now > last.n) last = { n: now, at: performance.now() };
      else if (performance.now() - last.at > STALL_MS) {
        const rejects = await sql.query<{ reason: string; detail: string; n: string }>(
          `select reason, detail, count(*)::text as n from ${schemas.metering}.rejects group by 1, 2 order by 3 desc limit 5`,
        );
        throw new Error(
          `usage stalled at ${now} of ${n} committed for ${STALL_MS / 1000} s; metering rejects: ${JSON.stringify(rejects.rows)}; ` +
            `metering log tail:\n${services.get('metering')?.lines.slice(-10).join('\n')}`,
        );
      }
    }
    const publishedAt = await publishing;
    const cpu = cpuSince(cpu0, n);
    log(`  published in ${round((publishedAt - firstSent) / 1000, 1)} s (${round(n / ((publishedAt - firstSent) / 1000))}/s while metering consumed)`);

    // Exactly once: every key committed once in the ledger, recorded once by metering, nothing rejected, same credits on both sides.
    const ledgerEvents = await sql.query<{ n: string; keys: string; credits: string }>(
      `select count(*)::text as n, count(distinct command_key)::text as keys, coalesce(sum((data->>'amount')::numeric), 0)::text as credits
       from ${schemas.ledger}.events where type = 'UsageDeducted' and command_key like 'u-%'`,
    );
    const recorded = await sql.query<{ n: string; credits: string }>(
      `select count(*)::text as n, coalesce(sum(credits), 0)::text as credits from ${schemas.metering}.usage_records where key like 'u-%'`,
    );
    const meteringRejects = await count(`select count(*)::text as n from ${schemas.metering}.rejects`);
    const ledgerRejects = await count(`select count(*)::text as n from ${schemas.ledger}.rejects`);
    const le = ledgerEvents.rows[0]!;
    const mr = recorded.rows[0]!;
    const checks: Array<readonly [string, number, number]> = [
      [`ledger commands`, await committed(), n],
      [`ledger UsageDeducted events`, Number(le.n), n],
      [`distinct keys charged`, Number(le.keys), n],
      [`metering usage records`, Number(mr.n), n],
      [`metering rejects`, meteringRejects, 0],
      [`ledger rejects`, ledgerRejects, 0],
    ];
    const wrong = checks.filter(([, got, want]) => got !== want);
    if (le.credits !== mr.credits) wrong.push([`credits charged by the ledger (${le.credits}) vs recorded by metering (${mr.credits})`, 0, 1]);
    if (wrong.length > 0) throw new Error(`usage not charged exactly once: ${wrong.map(([what, got, want]) => `${what} ${got}, expected ${want}`).join('; ')}`);
    log(`  exactly once: ${n} events, ${n} ledger commands and charges, ${n} metering records, no rejects, ${le.credits} credits on both sides`);

    const rows = await sql.query<{ key: string; ms: string }>(
      `select key, (extract(epoch from recorded_at) * 1000)::bigint::text as ms from ${schemas.ledger}.commands where key like 'u-%'`,
    );
    const latencies: number[] = [];
    let lastCommit = 0;
    for (const r of rows.rows) {
      const committedAt = Number(r.ms);
      latencies.push(committedAt - (sentAt.get(r.key) ?? NaN));
      lastCommit = Math.max(lastCommit, committedAt);
    }
    const [p50, p99] = percentiles(latencies, [50, 99]);
    const perSecond = n / ((lastCommit - firstSent) / 1000);
    log(`  ${round(perSecond)} events/s from the first publish to the last commit; publish->commit p50 ${p50} ms, p99 ${p99} ms`);
    log(`  ${cpu}`);
    return { perSecond, p50: p50 ?? NaN, p99: p99 ?? NaN };
  }
}
