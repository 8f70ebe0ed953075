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
  /** Pause between polls when the outbox is empty or a publish failed. Default 200 ms. */
  readonly idleMs?: number;
  readonly onError?: (error: unknown) => void;
}

/**
 * Publishes unpublished rows in `seq` order. Several replicas may run one each: `skip locked` gives
 * each batch to one relay at a time. A failed publish leaves the batch unmarked for the next poll.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly table: string;
  private readonly batchSize: number;
  private readonly idleMs: number;

  constructor(private readonly options: OutboxRelayOptions) {
    this.table = options.table ?? 'outbox';
    if (!/^[a-z_][a-z0-9_]*$/.test(this.table)) throw new Error(`outbox table name ${this.table} is not a plain identifier`);
    this.batchSize = options.batchSize ?? 100;
    this.idleMs = options.idleMs ?? 200;
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

  /** One batch: how many rows were published (0 when there was nothing to do). */
  async relayOnce(): Promise<number> {
    const client = await this.options.pool.connect();
    try {
      await client.query('begin');
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
      try {
        published = await this.relayOnce();
      } catch (error) {
        this.options.onError?.(error);
      }
      if (published === this.batchSize) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.idleMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}
