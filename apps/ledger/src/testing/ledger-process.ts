// Test support for end-to-end tests: real ledger processes (the built dist/) on a schema and a
// NATS prefix of their own, and the means to drive and inspect them from outside.
import { fileURLToPath } from 'node:url';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import type pg from 'pg';
import {
  LEDGER_COMMAND_SUBJECTS,
  LEDGER_COMMANDS_CONSUMER,
  LEDGER_COMMANDS_STREAM,
  LEDGER_EVENTS_STREAM,
  LEDGER_PLACE_HOLD_SUBJECT,
  streamName,
  subject,
  type LedgerCommandKind,
  type LedgerEventEnvelope,
  type Namespace,
  type PlaceHoldReply,
} from '@credence/contracts';
import { createPool } from '@credence/platform-database';
import { Publisher, type PublishAck } from '@credence/platform-messaging';
import { callJson, createTestSchema, spawnProcess, TEST_ADMIN_KEY, testDatabaseUrl, testNatsUrl, uniqueName, waitFor, type HttpReply, type SpawnedProcess, type TestSchema, freePort } from '@credence/testing';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** LEDGER_E2E_MAIN runs the tests against another build of the ledger (say, a deliberately broken one). */
const LEDGER_MAIN = process.env['LEDGER_E2E_MAIN'] ?? `${REPO_ROOT}dist/apps/ledger/src/main.js`;
const NODE = `${REPO_ROOT}node_modules/.bin/node`;

/** Small on purpose: JetStream reserves a stream's max bytes up front, and test files run side by side. */
const TEST_STREAM_MAX_BYTES = 64 * 1024 * 1024;

/** Settings every test ledger gets unless the test says otherwise. */
export const TEST_LEDGER_ENV: Readonly<Record<string, string>> = {
  COMMAND_STREAM_MAX_BYTES: String(TEST_STREAM_MAX_BYTES),
  EVENT_STREAM_MAX_BYTES: String(TEST_STREAM_MAX_BYTES),
  // Several processes per file, several files at once: Postgres allows 100 connections in all.
  DB_POOL_MAX: '4',
  // A killed process's unacknowledged commands come back after this, not after the default 30 s.
  COMMAND_ACK_WAIT_MS: '2000',
  OTEL_SDK_DISABLED: 'true',
  // Not warn: "ledger ready" is an info line.
  LOG_LEVEL: 'info',
  // The helpers send it on every request: tests that are not about keys are unaffected by them.
  CREDENCE_ADMIN_KEY: TEST_ADMIN_KEY,
};


export type { HttpReply };

/** One running ledger process. */
export interface LedgerProcess {
  readonly port: number;
  readonly url: string;
  readonly process: SpawnedProcess;
  get<T = unknown>(path: string): Promise<HttpReply<T>>;
  post<T = unknown>(path: string, body: unknown): Promise<HttpReply<T>>;
  put<T = unknown>(path: string, body: unknown): Promise<HttpReply<T>>;
  /** SIGKILL is a crash: no shutdown hook runs. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface StreamedEvent {
  readonly streamSeq: number;
  readonly subject: string;
  readonly msgId: string | undefined;
  readonly envelope: LedgerEventEnvelope;
}

export type CommandToPublish = { readonly kind: LedgerCommandKind; readonly body: unknown; readonly msgId?: string };

/**
 * A ledger deployment for one test file: its schema, its NATS prefix, its streams, and any number
 * of ledger processes sharing them (replicas). `close()` stops the processes and removes it all.
 */
export class LedgerDeployment {
  readonly ns: Namespace;
  readonly commandStream: string;
  readonly eventStream: string;
  readonly publisher: Publisher;
  readonly js: JetStreamClient;
  private readonly processes: LedgerProcess[] = [];
  private msgCounter = 0;

  private constructor(
    readonly schema: TestSchema,
    readonly prefix: string,
    /** search_path = the deployment's schema; int8 comes back as bigint. */
    readonly pool: pg.Pool,
    readonly nc: NatsConnection,
    readonly jsm: JetStreamManager,
  ) {
    this.ns = { prefix };
    this.commandStream = streamName(this.ns, LEDGER_COMMANDS_STREAM);
    this.eventStream = streamName(this.ns, LEDGER_EVENTS_STREAM);
    this.publisher = new Publisher(nc, { ackTimeoutMs: 10_000 });
    this.js = jetstream(nc, { timeout: 10_000 });
  }

  /** `name`: lowercase letters and digits, a label for the schema and the prefix. */
  static async create(name: string): Promise<LedgerDeployment> {
    const schema = await createTestSchema(`e2e_${name}`);
    // NATS_PREFIX allows letters and digits only.
    const prefix = uniqueName(name).replace(/_/g, '');
    const pool = createPool({ connectionString: schema.connectionString, schema: schema.schema, poolMax: 3, applicationName: 'ledger-e2e' });
    const nc = await connect({ servers: [testNatsUrl()], name: `ledger-e2e-${name}` });
    return new LedgerDeployment(schema, prefix, pool, nc, await jetstreamManager(nc));
  }

  /** Starts one more ledger process on this deployment and waits for its "ledger ready". */
  async start(env: Record<string, string> = {}): Promise<LedgerProcess> {
    const port = await freePort();
    const proc = await spawnProcess({
      command: NODE,
      args: [LEDGER_MAIN],
      cwd: REPO_ROOT,
      env: {
        ...TEST_LEDGER_ENV,
        DATABASE_URL: testDatabaseUrl(),
        NATS_URL: testNatsUrl(),
        LEDGER_SCHEMA: this.schema.schema,
        NATS_PREFIX: this.prefix,
        PORT: String(port),
        ...env,
      },
      readyLine: /"msg":"ledger ready"/,
      readyTimeoutMs: 30_000,
    });
    const url = `http://127.0.0.1:${port}`;
    const call = <T>(method: string, path: string, body?: unknown): Promise<HttpReply<T>> => callJson<T>(TEST_ADMIN_KEY, method, `${url}${path}`, body);
    const handle: LedgerProcess = {
      port,
      url,
      process: proc,
      get: (path) => call('GET', path),
      post: (path, body) => call('POST', path, body),
      put: (path, body) => call('PUT', path, body),
      kill: async (signal = 'SIGTERM') => {
        await proc.kill(signal);
      },
    };
    this.processes.push(handle);
    return handle;
  }

  commandSubject(kind: LedgerCommandKind): string {
    return subject(this.ns, LEDGER_COMMAND_SUBJECTS[kind]);
  }

  eventSubject(bare: string): string {
    return subject(this.ns, bare);
  }

  /** A Nats-Msg-Id never used before: JetStream's own dedup never hides a repeat from the ledger. */
  freshMsgId(): string {
    return `${this.prefix}-${++this.msgCounter}-${Date.now()}`;
  }

  /** Publishes a command body as JSON (or raw bytes as they are) on the command stream. */
  publish(kind: LedgerCommandKind, body: unknown, msgId = this.freshMsgId()): Promise<PublishAck> {
    const data = body instanceof Uint8Array ? body : Buffer.from(JSON.stringify(body));
    return this.publisher.publish(this.commandSubject(kind), data, { msgId });
  }

  /** Pipelined publishing, in order, for thousands of commands. */
  publishMany(commands: readonly CommandToPublish[]): Promise<PublishAck[]> {
    return this.publisher.publishMany(
      commands.map((c) => ({
        subject: this.commandSubject(c.kind),
        data: c.body instanceof Uint8Array ? c.body : Buffer.from(JSON.stringify(c.body)),
        msgId: c.msgId ?? this.freshMsgId(),
      })),
    );
  }

  /** Asks for a hold over NATS request/reply, as a workload would. */
  async requestHold(body: unknown, timeoutMs = 10_000): Promise<PlaceHoldReply> {
    const msg = await this.nc.request(subject(this.ns, LEDGER_PLACE_HOLD_SUBJECT), Buffer.from(JSON.stringify(body)), { timeout: timeoutMs });
    return JSON.parse(Buffer.from(msg.data).toString('utf8')) as PlaceHoldReply;
  }

  /**
   * Resolves when every command on the stream has been acknowledged by a ledger process, i.e.
   * committed (or recorded as a reject): nothing pending, nothing delivered and unacknowledged.
   */
  async waitUntilConsumed(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      async () => {
        const [stream, consumer] = await Promise.all([
          this.jsm.streams.info(this.commandStream),
          this.jsm.consumers.info(this.commandStream, LEDGER_COMMANDS_CONSUMER),
        ]);
        return consumer.num_pending === 0 && consumer.num_ack_pending === 0 && consumer.ack_floor.stream_seq >= stream.state.last_seq;
      },
      { what: `every command on ${this.commandStream} to be acknowledged`, timeoutMs, intervalMs: 100 },
    );
  }

  async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    return (await this.pool.query<R>(text, values)).rows;
  }

  async eventCount(): Promise<number> {
    const [row] = await this.query<{ n: bigint }>('select count(*) as n from events');
    return Number(row?.n ?? 0n);
  }

  async streamMessageCount(): Promise<number> {
    return (await this.jsm.streams.info(this.eventStream)).state.messages;
  }

  /** Messages per subject on the event stream, for subjects matching `filter`. */
  async streamSubjectCounts(filter = '>'): Promise<Record<string, number>> {
    const info = await this.jsm.streams.info(this.eventStream, { subjects_filter: this.eventSubject(filter) });
    return info.state.subjects ?? {};
  }

  /** Resolves when the outbox relay has published every committed event. */
  async waitUntilPublished(timeoutMs = 30_000): Promise<void> {
    await waitFor(async () => (await this.streamMessageCount()) === (await this.eventCount()), {
      what: `${this.eventStream} to hold as many messages as the events table`,
      timeoutMs,
      intervalMs: 100,
    });
  }

  /** Every message of the event stream, in stream order. */
  async readEventStream(): Promise<StreamedEvent[]> {
    const total = await this.streamMessageCount();
    const out: StreamedEvent[] = [];
    if (total === 0) return out;
    const consumer = await this.js.consumers.get(this.eventStream);
    const messages = await consumer.consume({ max_messages: 1_000 });
    for await (const m of messages) {
      out.push({
        streamSeq: m.seq,
        subject: m.subject,
        msgId: m.headers?.get('Nats-Msg-Id') || undefined,
        envelope: m.json<LedgerEventEnvelope>(),
      });
      if (m.info.pending === 0 && out.length >= total) break;
    }
    await messages.close();
    return out;
  }

  /** Stops every process (SIGTERM), deletes the streams, drops the schema. */
  async close(): Promise<void> {
    await Promise.all(
      this.processes.splice(0).map(async (p) => {
        await p.process.stop();
      }),
    );
    for (const name of [this.commandStream, this.eventStream]) await this.jsm.streams.delete(name).catch(() => false);
    await this.nc.close();
    await this.pool.end();
    await this.schema.drop();
  }
}

