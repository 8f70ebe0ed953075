import type { JetStreamManager } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/nats-core';
import { ensureDurableConsumer } from './consumers.js';
import { Publisher } from './publisher.js';
import { ensureStream } from './streams.js';
import { deleteStreamQuietly, openTestNats, testStreamSpec, uniqueToken, utf8 } from './test-support.js';

describe('ensureStream / ensureDurableConsumer / de-duplication', () => {
  const stream = uniqueToken('MSG_STREAMS').toUpperCase();
  const prefix = uniqueToken('msgstreams').toLowerCase();
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    ({ nc, jsm } = await openTestNats('streams-int-spec'));
  });

  afterAll(async () => {
    await deleteStreamQuietly(jsm, stream);
    await nc?.close();
  });

  it('given no stream, when ensured twice with a changed limit, then it is created with explicit limits and updated in place', async () => {
    const created = await ensureStream(jsm, testStreamSpec(stream, [`${prefix}.>`], { maxAgeMs: 60_000, duplicateWindowMs: 30_000 }));
    expect(created.config).toMatchObject({
      storage: 'file',
      retention: 'limits',
      discard: 'new',
      max_age: nanos(60_000),
      duplicate_window: nanos(30_000),
      max_bytes: 256 * 1024 * 1024,
      max_msg_size: 1024 * 1024,
      subjects: [`${prefix}.>`],
    });

    const updated = await ensureStream(jsm, testStreamSpec(stream, [`${prefix}.>`], { maxAgeMs: 120_000, duplicateWindowMs: 30_000 }));
    expect(updated.config.max_age).toBe(nanos(120_000));
    expect(updated.created).toEqual(created.created);
  });

  it('given a stream, when a durable consumer is ensured twice with a changed limit, then it is created and updated', async () => {
    const spec = {
      durable: 'ensure_test',
      filterSubject: `${prefix}.ensure.>`,
      ackWaitMs: 5_000,
      maxDeliver: 5,
      backoffMs: [1_000, 2_000],
      maxAckPending: 100,
    };
    const created = await ensureDurableConsumer(jsm, stream, spec);
    expect(created.config).toMatchObject({
      durable_name: 'ensure_test',
      filter_subject: `${prefix}.ensure.>`,
      deliver_policy: 'all',
      ack_policy: 'explicit',
      max_deliver: 5,
      max_ack_pending: 100,
      backoff: [nanos(1_000), nanos(2_000)],
    });

    const updated = await ensureDurableConsumer(jsm, stream, { ...spec, maxAckPending: 200, backoffMs: [] });
    expect(updated.config.max_ack_pending).toBe(200);
    expect(updated.config.backoff ?? []).toEqual([]);
    expect(updated.config.ack_wait).toBe(nanos(5_000));
  });

  it('given a message id already published, when it is published again, then the stream stores it once', async () => {
    const publisher = new Publisher(nc);
    const subject = `${prefix}.dedup.one`;

    const first = await publisher.publish(subject, utf8('a'), { msgId: 'grant-42' });
    const second = await publisher.publish(subject, utf8('a again'), { msgId: 'grant-42' });

    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ stream, seq: first.seq, duplicate: true });
    const info = await jsm.streams.info(stream, { subjects_filter: `${prefix}.dedup.>` });
    expect(info.state.subjects).toEqual({ [subject]: 1 });
  });
});
