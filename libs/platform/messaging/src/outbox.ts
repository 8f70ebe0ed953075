import type pg from 'pg';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Publisher } from './publisher.js';

/**
 * A transactional outbox for services whose events are not already a log (the ledger's are).
 * Rows are written in the transaction that makes the fact true, then a relay publishes them to
 * JetStream with `Nats-Msg-Id` = the row id. Postgres is the record; a crash between publish and
 * mark re-publishes, which the stream's duplicate window and the consumers' own keys absorb.
 */

/** The outbox table, for a service's migration (frozen with it: later changes are new migrations). */
export const outboxTableDdl = (table = 'outbox'): string => `
  create table ${table} (
    -- Deterministic per fact (e.g. '<account>#daily_generations#2026-11-21'): a second enqueue of the
    -- same fact is a no-op, so "once per cause" holds even before any consumer deduplicates.
    id text primary key,
    seq bigserial not null,
    -- Without the namespace prefix: the relay adds the deployment's.
    subject text not null,
    payload jsonb not null,
    created_at timestamptz not null default now(),
    published_at timestamptz
  );
  create index ${table}_unpublished on ${table} (seq) where published_at is null;
`;

export interface OutboxMessage {
  readonly id: string;
  readonly subject: string;
  readonly payload: object;
}

/** Enqueues in the caller's transaction; an id already there is left as it is. Returns how many were new. */
export async function enqueueOutbox<DB>(db: Kysely<DB> | Transaction<DB>, messages: readonly OutboxMessage[], table = 'outbox'): Promise<number> {
  if (messages.length === 0) return 0;
  const values = messages.map((m) => sql`(${m.id}, ${m.subject}, ${JSON.stringify(m.payload)}::jsonb)`);
  const result = await sql`insert into ${sql.table(table)} (id, subject, payload) values ${sql.join(values)} on conflict (id) do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

export interface OutboxRelayOptions {
  /** A pool whose connections see the service's schema (search_path), as createPool sets it. */
  readonly pool: pg.Pool;
  readonly publisher: Publisher;
  /** Maps a stored subject to the deployment's (the namespace prefix). */
  readonly subjectFor: (subject: string) => string;
  readonly table?: string;
  /** Rows per transaction. Default 100. */
  readonly batchSize?: number;
  /** Pause between polls when the outbox is empty. Default 200 ms. */
  readonly idleMs?: number;
  /** Pause after a failed pass (NATS or Postgres down), so an outage is not retried and logged in a tight loop. Default idleMs. */
  readonly errorMs?: number;
  /**
   * An advisory lock key (int4): each pass first takes `pg_try_advisory_xact_lock(key,
   * hashtext(current_schema()))`, so of all replicas on one schema only one publishes at a time and
   * the stream gets the rows in `seq` order; a pass that finds the lock taken publishes nothing.
   * Without it, replicas publish different batches at once (`skip locked`), and a later batch may
   * reach the stream before an earlier one. `seq` is taken at insert, not at commit, so what a
   * consumer may rely on is: a row committed before another was written is published before it.
   */
  readonly exclusiveLock?: number;
  readonly onError?: (error: unknown) => void;
}

/**
 * Publishes unpublished rows in `seq` order. Several replicas may run one each: `skip locked` gives
 * each batch to one relay at a time (and `exclusiveLock` the whole outbox). A failed publish leaves
 * the batch unmarked for the next poll.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly table: string;
  private readonly batchSize: number;
  private readonly idleMs: number;
  private readonly errorMs: number;

  constructor(private readonly options: OutboxRelayOptions) {
    this.table = options.table ?? 'outbox';
    if (!/^[a-z_][a-z0-9_]*$/.test(this.table)) throw new Error(`outbox table name ${this.table} is not a plain identifier`);
    this.batchSize = options.batchSize ?? 100;
    this.idleMs = options.idleMs ?? 200;
    this.errorMs = options.errorMs ?? this.idleMs;
    const lock = options.exclusiveLock;
    if (lock !== undefined && !(Number.isInteger(lock) && lock >= -(2 ** 31) && lock < 2 ** 31)) throw new Error(`outbox exclusiveLock ${lock} is not an int4`);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Publishes sooner than the next poll (after a commit that enqueued something). */
  poke(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** One batch: how many rows were published (0 when there was nothing to do, or another relay holds `exclusiveLock`). */
  async relayOnce(): Promise<number> {
    const client = await this.options.pool.connect();
    try {
      await client.query('begin');
      if (this.options.exclusiveLock !== undefined) {
        // Transaction-scoped: released by the commit or rollback below, or with the connection if this process dies.
        const lock = await client.query<{ locked: boolean }>('select pg_try_advisory_xact_lock($1, hashtext(current_schema())) as locked', [this.options.exclusiveLock]);
        if (!lock.rows[0]?.locked) {
          await client.query('rollback');
          return 0;
        }
      }
      const { rows } = await client.query<{ id: string; subject: string; payload: unknown }>(
        `select id, subject, payload from ${this.table} where published_at is null order by seq limit $1 for update skip locked`,
        [this.batchSize],
      );
      for (const row of rows) {
        await this.options.publisher.publish(this.options.subjectFor(row.subject), Buffer.from(JSON.stringify(row.payload)), { msgId: row.id });
      }
      if (rows.length > 0) await client.query(`update ${this.table} set published_at = now() where id = any($1)`, [rows.map((r) => r.id)]);
      await client.query('commit');
      return rows.length;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let published = 0;
      let pauseMs = this.idleMs;
      try {
        published = await this.relayOnce();
      } catch (error) {
        pauseMs = this.errorMs;
        this.options.onError?.(error);
      }
      if (published === this.batchSize) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pauseMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}
