import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { createTestSchema, waitFor, type TestSchema } from '@credence/testing';
import { enqueueOutbox, outboxTableDdl, OutboxRelay } from './outbox.js';
import { Publisher } from './publisher.js';
import { createTestStream, deleteStreamQuietly, openTestNats, text, uniqueToken } from './test-support.js';

describe('outbox', () => {
  const stream = uniqueToken('MSG_OUTBOX').toUpperCase();
  const prefix = uniqueToken('msgoutbox').toLowerCase();
  let schema: TestSchema;
  let pool: pg.Pool;
  let db: Kysely<unknown>;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let publisher: Publisher;
  const relayOf = (batchSize = 100, exclusiveLock?: number) =>
    new OutboxRelay({ pool, publisher, subjectFor: (s) => `${prefix}.${s}`, batchSize, idleMs: 20, ...(exclusiveLock === undefined ? {} : { exclusiveLock }) });
  const unpublished = async () => (await pool.query<{ n: number }>('select count(*)::int as n from outbox where published_at is null')).rows[0]?.n;
  const stored = async () => {
    const info = await jsm.streams.info(stream).catch(() => undefined);
    return info?.state.messages ?? 0;
  };

  beforeAll(async () => {
    schema = await createTestSchema('outbox');
    pool = new pg.Pool({ connectionString: schema.connectionString, options: `-c search_path=${schema.schema}`, max: 6 });
    db = new Kysely({ dialect: new PostgresDialect({ pool }) });
    await pool.query(outboxTableDdl());
    ({ nc, jsm } = await openTestNats('outbox-int-spec'));
    publisher = new Publisher(nc, { ackTimeoutMs: 2_000 });
  });

  afterAll(async () => {
    await deleteStreamQuietly(jsm, stream);
    await nc?.close();
    await db?.destroy();
    await schema?.drop();
  });

  it('given the same fact enqueued twice and a rolled-back enqueue, then one row is kept and nothing of the rolled-back one', async () => {
    expect(await enqueueOutbox(db, [{ id: 'a#1', subject: 'test.v1.thing.happened', payload: { n: 1 } }])).toBe(1);
    expect(await enqueueOutbox(db, [{ id: 'a#1', subject: 'test.v1.thing.happened', payload: { n: 2 } }])).toBe(0);
    await expect(
      db.transaction().execute(async (trx) => {
        await enqueueOutbox(trx, [{ id: 'rolled-back', subject: 'test.v1.thing.happened', payload: {} }]);
        throw new Error('the fact did not happen');
      }),
    ).rejects.toThrow('the fact did not happen');
    const { rows } = await pool.query<{ id: string; payload: { n: number } }>('select id, payload from outbox order by seq');
    expect(rows).toEqual([{ id: 'a#1', payload: { n: 1 } }]);
  });

  it('given no stream for the subject, when relayed, then the publish fails and the rows stay unpublished; with the stream, they go out once, in order, with their ids', async () => {
    await expect(relayOf().relayOnce()).rejects.toThrow();
    expect((await pool.query('select count(*)::int as n from outbox where published_at is null')).rows[0]).toEqual({ n: 1 });

    await enqueueOutbox(db, [
      { id: 'b#1', subject: 'test.v1.thing.happened', payload: { n: 3 } },
      { id: 'b#2', subject: 'test.v1.other.happened', payload: { n: 4 } },
    ]);
    await createTestStream(jsm, stream, [`${prefix}.>`]);
    expect(await relayOf().relayOnce()).toBe(3);
    expect(await relayOf().relayOnce()).toBe(0);
    const messages = await Promise.all([1, 2, 3].map((seq) => jsm.streams.getMessage(stream, { seq })));
    expect(messages.map((m) => [m?.subject, m?.header.get('Nats-Msg-Id'), text(m!.data)])).toEqual([
      [`${prefix}.test.v1.thing.happened`, 'a#1', '{"n":1}'],
      [`${prefix}.test.v1.thing.happened`, 'b#1', '{"n":3}'],
      [`${prefix}.test.v1.other.happened`, 'b#2', '{"n":4}'],
    ]);
  });

  it('given two running relays and 500 rows, then every row is published and marked, and the stream holds each once', async () => {
    const before = await stored();
    await enqueueOutbox(db, Array.from({ length: 500 }, (_, i) => ({ id: `c#${i}`, subject: 'test.v1.thing.happened', payload: { i } })));
    const relays = [relayOf(50), relayOf(50)];
    for (const r of relays) r.start();
    try {
      await waitFor(async () => (await unpublished()) === 0, { timeoutMs: 20_000 });
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
    }
    expect((await stored()) - before).toBe(500);
  });

  it('given an exclusive lock held elsewhere, when relayed, then nothing is published; released, two running relays publish every row once, in seq order', async () => {
    const LOCK = 0x0b0c;
    const before = await stored();
    await enqueueOutbox(db, Array.from({ length: 300 }, (_, i) => ({ id: `d#${i}`, subject: 'test.v1.thing.happened', payload: { i } })));
    const holder = await pool.connect();
    try {
      await holder.query('select pg_advisory_lock($1, hashtext(current_schema()))', [LOCK]);
      expect(await relayOf(100, LOCK).relayOnce()).toBe(0);
      // A relay with another key is not held back.
      expect(await relayOf(1, LOCK + 1).relayOnce()).toBe(1);
      await holder.query('select pg_advisory_unlock($1, hashtext(current_schema()))', [LOCK]);
    } finally {
      holder.release();
    }
    const relays = [relayOf(20, LOCK), relayOf(20, LOCK)];
    for (const r of relays) r.start();
    try {
      await waitFor(async () => (await unpublished()) === 0, { timeoutMs: 20_000 });
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
    }
    const ids: string[] = [];
    for (let seq = before + 1; seq <= before + 300; seq++) ids.push((await jsm.streams.getMessage(stream, { seq }))!.header.get('Nats-Msg-Id'));
    expect(ids).toEqual(Array.from({ length: 300 }, (_, i) => `d#${i}`));
    expect(await stored()).toBe(before + 300);
  });
});
