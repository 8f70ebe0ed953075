import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { ensureStream, Publisher } from '@credence/platform-messaging';

/**
 * The machine's own limits, measured in the same run as the ledger so that each figure can be
 * read as a fraction of what this machine could do at best.
 */

/** JetStream publish with ack, 1,000 in flight, file storage, ~150-byte messages with Nats-Msg-Id. */
export async function rawPublishPerSecond(nc: NatsConnection, prefix: string, count: number): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const name = `${prefix.toUpperCase()}_RAW`;
  await ensureStream(jsm, {
    name,
    subjects: [`${prefix}.raw.>`],
    maxAgeMs: 3_600_000,
    duplicateWindowMs: 120_000,
    maxBytes: 256 * 1024 * 1024,
    maxMsgSize: 64 * 1024,
    discard: 'old',
  });
  const publisher = new Publisher(nc);
  const body = Buffer.from(JSON.stringify({ key: 'x'.repeat(20), accountId: 'acc-00000', amount: '123', resource: { projectId: 'p1' }, pad: randomBytes(24).toString('hex') }));
  const items = Array.from({ length: count }, (_, i) => ({ subject: `${prefix}.raw.usage`, data: body, msgId: `raw-${i}` }));
  const started = performance.now();
  await publisher.publishMany(items, { maxInFlight: 1_000 });
  const seconds = (performance.now() - started) / 1000;
  await jsm.streams.delete(name);
  return count / seconds;
}

/** Postgres: 500 events appended and 500 balances upserted per transaction, one connection. */
export async function rawPgBatchPerSecond(connectionString: string, schema: string, count: number): Promise<number> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`create schema if not exists ${schema}; set search_path = ${schema};
      create table raw_events (seq bigserial primary key, event_id text unique not null, account_id text not null, data jsonb not null);
      create table raw_balances (account_id text primary key, balance bigint not null)`);
    const batch = 500;
    const started = performance.now();
    for (let i = 0; i < count; i += batch) {
      const ids: string[] = [];
      const accounts: string[] = [];
      const data: string[] = [];
      for (let j = i; j < i + batch; j++) {
        ids.push(`e-${j}`);
        accounts.push(`acc-${j % 10_000}`);
        data.push(`{"type":"UsageDeducted","amount":"${j % 300}","allocations":[{"grantId":"g","amount":"${j % 300}"}]}`);
      }
      await client.query('begin');
      await client.query(`insert into raw_events (event_id, account_id, data) select * from unnest($1::text[], $2::text[], $3::jsonb[])`, [ids, accounts, data]);
      await client.query(
        `insert into raw_balances (account_id, balance) select a, 1 from unnest($1::text[]) a group by a
         on conflict (account_id) do update set balance = raw_balances.balance + 1`,
        [accounts],
      );
      await client.query('commit');
    }
    return count / ((performance.now() - started) / 1000);
  } finally {
    await client.query(`drop schema if exists ${schema} cascade`).catch(() => undefined);
    await client.end();
  }
}
