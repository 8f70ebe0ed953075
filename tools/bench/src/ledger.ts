import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { LEDGER_COMMAND_SUBJECTS, LEDGER_COMMANDS_STREAM, LEDGER_EVENTS_STREAM, LEDGER_PLACE_HOLD_SUBJECT, streamName, subject } from '@credence/contracts';
import { seededRandom } from '@credence/kernel';
import { Publisher } from '@credence/platform-messaging';
import { spawnProcess, stopAll, testDatabaseUrl, testNatsUrl, waitFor } from '@credence/testing';
import { peakRssMb, serviceNodeArgs } from './processes.js';
import { rawPgBatchPerSecond, rawPublishPerSecond } from './raw-limits.js';
import { percentiles, round, zipfSampler } from './stats.js';

interface Sizes {
  accounts: number;
  usage: number;
  hot: number;
  holdRatePerS: number;
  holdSeconds: number;
  rawPublish: number;
  rawPg: number;
}

const FULL: Sizes = { accounts: 10_000, usage: 200_000, hot: 20_000, holdRatePerS: 1_000, holdSeconds: 10, rawPublish: 50_000, rawPg: 100_000 };
const QUICK: Sizes = { accounts: 10_000, usage: 40_000, hot: 10_000, holdRatePerS: 1_000, holdSeconds: 3, rawPublish: 20_000, rawPg: 50_000 };

const log = (line: string) => process.stdout.write(`${line}\n`);

/**
 * Drives a real ledger process through JetStream and NATS request/reply, on its own schema and
 * subject prefix, and measures it against this machine's raw limits taken in the same run.
 */
export async function benchLedger(quick: boolean): Promise<void> {
  const sizes = quick ? QUICK : FULL;
  const tag = randomBytes(4).toString('hex');
  const prefix = `bench${tag}`;
  const schema = `bench_${tag}`;
  const databaseUrl = testDatabaseUrl();
  const natsUrl = testNatsUrl();
  const ns = { prefix };
  const nc = await connect({ servers: natsUrl, name: 'credence-bench' });
  const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const count = async (q: string) => Number((await sql.query<{ n: string }>(q)).rows[0]?.n ?? 0);

  log(`ledger benchmark (${quick ? 'quick' : 'full'}): schema ${schema}, subject prefix ${prefix}`);
  log('measuring raw limits ...');
  const rawPublish = await rawPublishPerSecond(nc, prefix, sizes.rawPublish);
  const rawPg = await rawPgBatchPerSecond(databaseUrl, `${schema}_raw`, sizes.rawPg);
  log(`  raw JetStream publish (1,000 in flight): ${round(rawPublish)} msg/s`);
  log(`  raw Postgres batched insert (500 events + upserts per tx): ${round(rawPg)} events/s`);

  // BENCH_LEDGER_REPLICAS=n runs n ledger processes on the same schema and stream (default 1).
  const replicas = Math.max(1, Number(process.env['BENCH_LEDGER_REPLICAS'] ?? 1));
  const startLedger = (n: number) => spawnProcess({
    command: 'node_modules/.bin/node',
    // BENCH_PROFILE_DIR=<dir> writes a V8 CPU profile of each ledger there, ledger-<n>.cpuprofile
    // (open it in Chrome DevTools). The services' heap bounds; BENCH_LEDGER_NODE_ARGS replaces them
    // to compare settings.
    args: [...serviceNodeArgs(`ledger-${n}`, process.env['BENCH_LEDGER_NODE_ARGS']), 'dist/apps/ledger/src/main.js'],
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      NATS_URL: natsUrl,
      LEDGER_SCHEMA: schema,
      NATS_PREFIX: prefix,
      PORT: String(20_000 + Math.floor(Math.random() * 20_000)),
      COMMAND_STREAM_MAX_BYTES: String(512 * 1024 * 1024),
      EVENT_STREAM_MAX_BYTES: String(1024 * 1024 * 1024),
      OTEL_SDK_DISABLED: 'true',
    },
    readyLine: /ledger ready/,
    readyTimeoutMs: 60_000,
  });
  const ledgers = [];
  // One after the other: the first migrates the schema and creates the streams.
  for (let i = 0; i < replicas; i++) ledgers.push(await startLedger(i + 1));
  log(`  ${replicas} ledger process(es) running`);
  const publisher = new Publisher(nc, { ackTimeoutMs: 30_000 });
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o));
  const commandsApplied = () => count(`select count(*)::text as n from ${schema}.commands`);

  /** Publishes in chunks, remembering when each chunk left; returns the send time per key. */
  async function publishCommands(items: Array<{ subject: string; key: string; body: unknown }>): Promise<Map<string, number>> {
    const sentAt = new Map<string, number>();
    const chunk = 2_000;
    for (let i = 0; i < items.length; i += chunk) {
      const slice = items.slice(i, i + chunk);
      const t = Date.now();
      for (const it of slice) sentAt.set(it.key, t);
      await publisher.publishMany(slice.map((it) => ({ subject: it.subject, data: enc(it.body), msgId: it.key })), { maxInFlight: 1_000 });
    }
    return sentAt;
  }

  async function waitApplied(total: number, what: string): Promise<void> {
    await waitFor(async () => (await commandsApplied()) >= total, { what, timeoutMs: 600_000, intervalMs: 100 });
  }

  /** Applied rate and publish-to-commit latencies of the commands whose key starts with `keyPrefix`. */
  async function measure(sentAt: Map<string, number>, keyPrefix: string) {
    const rows = await sql.query<{ key: string; ms: string }>(
      `select key, (extract(epoch from recorded_at) * 1000)::bigint::text as ms from ${schema}.commands where key like $1`,
      [`${keyPrefix}%`],
    );
    const latencies: number[] = [];
    let first = Number.POSITIVE_INFINITY;
    let last = 0;
    for (const r of rows.rows) {
      const sent = sentAt.get(r.key);
      if (sent === undefined) continue;
      const committed = Number(r.ms);
      latencies.push(committed - sent);
      first = Math.min(first, sent);
      last = Math.max(last, committed);
    }
    const [p50, p99] = percentiles(latencies, [50, 99]);
    // Rows written by one transaction share its xmin: commands per transaction is the real batch size.
    const txs = await count(`select count(distinct xmin::text)::text as n from ${schema}.commands where key like '${keyPrefix}%'`);
    log(`  ${rows.rows.length} commands in ${txs} transactions (mean batch ${round(rows.rows.length / Math.max(1, txs), 1)})`);
    return { perSecond: rows.rows.length / ((last - first) / 1000), p50: p50 ?? NaN, p99: p99 ?? NaN, n: rows.rows.length };
  }

  try {
    const grantSubject = subject(ns, LEDGER_COMMAND_SUBJECTS.IssueGrant);
    const usageSubject = subject(ns, LEDGER_COMMAND_SUBJECTS.RecordUsage);

    log(`granting ${sizes.accounts} accounts ...`);
    const grants = Array.from({ length: sizes.accounts }, (_, i) => ({
      subject: grantSubject,
      key: `grant-${i}`,
      body: { key: `grant-${i}`, accountId: `acc-${i}`, source: 'purchase', amount: '100000000' },
    }));
    grants.push({ subject: grantSubject, key: 'grant-hot', body: { key: 'grant-hot', accountId: 'hot', source: 'purchase', amount: '100000000' } });
    await publishCommands(grants);
    await waitApplied(grants.length, 'grants applied');

    log(`post-paid usage: ${sizes.usage} commands over ${sizes.accounts} accounts (Zipf s=1.1) ...`);
    const pick = zipfSampler(sizes.accounts, 1.1, seededRandom(42));
    const usage = Array.from({ length: sizes.usage }, (_, i) => ({
      subject: usageSubject,
      key: `u-${i}`,
      body: { key: `u-${i}`, accountId: `acc-${pick()}`, amount: String(1 + (i % 300)), resource: { projectId: `p${i % 7}`, model: 'gpt-4.1' } },
    }));
    const usageSent = await publishCommands(usage);
    await waitApplied(grants.length + usage.length, 'usage applied');
    const applied = await measure(usageSent, 'u-');
    log(`  applied ${round(applied.perSecond)} commands/s; publish->commit p50 ${applied.p50} ms, p99 ${applied.p99} ms`);

    log(`hot account: ${sizes.hot} commands on one account ...`);
    const hot = Array.from({ length: sizes.hot }, (_, i) => ({
      subject: usageSubject,
      key: `hot-${i}`,
      body: { key: `hot-${i}`, accountId: 'hot', amount: '3' },
    }));
    const hotSent = await publishCommands(hot);
    await waitApplied(grants.length + usage.length + hot.length, 'hot account applied');
    const hotResult = await measure(hotSent, 'hot-');
    log(`  hot account ${round(hotResult.perSecond)} commands/s; publish->commit p99 ${hotResult.p99} ms`);

    // Holds are measured on an otherwise idle ledger: the relay has published the backlog first.
    const lastSeq = await count(`select coalesce(max(seq), 0)::text as n from ${schema}.events`);
    const relayStarted = performance.now();
    await waitFor(async () => (await count(`select coalesce(max(last_seq), 0)::text as n from ${schema}.outbox_position`)) >= lastSeq, {
      what: 'outbox relay caught up',
      timeoutMs: 600_000,
      intervalMs: 100,
    });
    log(`  (outbox relay published the backlog ${round((performance.now() - relayStarted) / 1000, 1)} s after the last commit)`);
    log(`holds: ${sizes.holdRatePerS}/s for ${sizes.holdSeconds} s over NATS request/reply ...`);
    const holdSubject = subject(ns, LEDGER_PLACE_HOLD_SUBJECT);
    const total = sizes.holdRatePerS * sizes.holdSeconds;
    const latencies: number[] = [];
    let approved = 0;
    let failed = 0;
    const started = performance.now();
    const pending: Array<Promise<void>> = [];
    // Open loop: requests leave on schedule whether or not earlier ones were answered.
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / sizes.holdRatePerS;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const body = enc({ key: `hold-${i}`, accountId: `acc-${i % sizes.accounts}`, amount: '10', ttlMs: 60_000 });
      const sent = performance.now();
      pending.push(
        nc.request(holdSubject, body, { timeout: 5_000 }).then(
          (m) => {
            latencies.push(performance.now() - sent);
            // A refusal by the server (busy, error) comes back as an empty body with error headers.
            if (m.data.length > 0 && m.json<{ status?: string }>().status === 'approved') approved++;
            else if (m.data.length === 0) failed++;
          },
          () => void failed++,
        ),
      );
    }
    await Promise.all(pending);
    const holdSeconds = (performance.now() - started) / 1000;
    const [holdP50, holdP99] = percentiles(latencies, [50, 99]);
    const holdPerS = latencies.length / holdSeconds;
    log(`  ${round(holdPerS)} holds/s answered (${approved} approved, ${failed} failed); p50 ${round(holdP50 ?? NaN, 2)} ms, p99 ${round(holdP99 ?? NaN, 2)} ms`);

    const rssMb = Math.max(...ledgers.map((l) => peakRssMb(l.pid)));
    await Promise.all(ledgers.map((l) => l.kill('SIGTERM')));

    log('rebuild --verify ...');
    const cli = await spawnProcess({
      command: 'node_modules/.bin/node',
      args: ['dist/apps/ledger/src/cli.js', 'rebuild', '--verify'],
      env: { ...process.env, DATABASE_URL: databaseUrl, LEDGER_SCHEMA: schema },
    });
    const exit = await cli.exited;
    const out = cli.stdout.join('\n');
    const m = /rebuilt (\d+) events over (\d+) accounts in (\d+) ms \(read and fold (\d+) events\/s; fold alone (\d+) events\/s\)/.exec(out);
    if (!m || exit.code !== 0) throw new Error(`rebuild --verify failed (exit ${exit.code}): ${out.slice(0, 2000)}`);
    const rebuildPerS = Number(m[4]);
    const foldPerS = Number(m[5]);
    log(`  ${m[1]} events, ${m[2]} accounts, ${m[3]} ms in all with the comparison; read and fold ${rebuildPerS} events/s (fold alone ${foldPerS}/s); projections equal the log`);

    const ratio = (x: number, of: number) => round(x / of, 2);
    log('');
    log(`applied ${round(applied.perSecond)}/s = ${ratio(applied.perSecond, rawPg)} of raw Postgres batch, ${ratio(applied.perSecond, rawPublish)} of raw publish`);
    log(`hot ${round(hotResult.perSecond)}/s = ${ratio(hotResult.perSecond, rawPg)} of raw Postgres batch`);
    log(`ledger peak RSS ${round(rssMb)} MB`);
    log(
      `BENCH ledger applied_per_s=${round(applied.perSecond)} publish_commit_p50_ms=${applied.p50} publish_commit_p99_ms=${applied.p99} ` +
        `hot_per_s=${round(hotResult.perSecond)} hold_per_s=${round(holdPerS)} hold_p50_ms=${round(holdP50 ?? NaN, 2)} hold_p99_ms=${round(holdP99 ?? NaN, 2)} ` +
        `hold_failed=${failed} rebuild_per_s=${rebuildPerS} fold_per_s=${foldPerS} rss_mb=${round(rssMb)} raw_publish_per_s=${round(rawPublish)} raw_pg_batch_per_s=${round(rawPg)} ` +
        `applied_vs_raw_pg=${ratio(applied.perSecond, rawPg)} applied_vs_raw_publish=${ratio(applied.perSecond, rawPublish)} replicas=${replicas} quick=${quick}`,
    );
  } finally {
    await stopAll();
    const jsm = await jetstreamManager(nc);
    for (const s of [LEDGER_COMMANDS_STREAM, LEDGER_EVENTS_STREAM]) await jsm.streams.delete(streamName(ns, s)).catch(() => undefined);
    await nc.drain();
    // BENCH_KEEP=1 leaves the schema behind for EXPLAIN and friends.
    if (process.env['BENCH_KEEP'] !== '1') await sql.query(`drop schema if exists ${schema} cascade`);
    else log(`kept schema ${schema}`);
    await sql.end();
  }
}
