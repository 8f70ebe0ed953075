import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { Publisher, PublishManyError } from './publisher.js';
import { createTestStream, deleteStreamQuietly, openTestNats, text, uniqueToken, utf8 } from './test-support.js';

describe('Publisher', () => {
  const stream = uniqueToken('MSG_PUB').toUpperCase();
  const prefix = uniqueToken('msgpub').toLowerCase();
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let publisher: Publisher;

  beforeAll(async () => {
    ({ nc, jsm } = await openTestNats('publisher-int-spec'));
    await createTestStream(jsm, stream, [`${prefix}.>`]);
    publisher = new Publisher(nc, { ackTimeoutMs: 5_000 });
  });

  afterAll(async () => {
    await deleteStreamQuietly(jsm, stream);
    await nc?.close();
  });

  it('given 3,000 items and 500 in flight, when published, then acks come back in item order and the stream holds them in that order', async () => {
    const items = Array.from({ length: 3_000 }, (_, i) => ({ subject: `${prefix}.many`, data: utf8(String(i)), msgId: `many-${i}` }));

    const acks = await publisher.publishMany(items, { maxInFlight: 500 });

    expect(acks).toHaveLength(3_000);
    expect(acks.every((a) => a.stream === stream && !a.duplicate)).toBe(true);
    const seqs = acks.map((a) => a.seq);
    expect(seqs.slice(1).every((seq, i) => seq === seqs[i]! + 1)).toBe(true);
    for (const i of [0, 1_234, 2_999]) {
      const stored = await jsm.streams.getMessage(stream, { seq: seqs[i]! });
      expect(text(stored!.data)).toBe(String(i));
      expect(stored!.header.get('Nats-Msg-Id')).toBe(`many-${i}`);
    }
    const info = await jsm.streams.info(stream, { subjects_filter: `${prefix}.many` });
    expect(info.state.subjects).toEqual({ [`${prefix}.many`]: 3_000 });
  });

  it('given the same batch published again, then every ack is a duplicate and nothing new is stored', async () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ subject: `${prefix}.again`, data: utf8(String(i)), msgId: `again-${i}` }));
    const first = await publisher.publishMany(items);

    const second = await publisher.publishMany(items);

    expect(second.map((a) => a.seq)).toEqual(first.map((a) => a.seq));
    expect(second.every((a) => a.duplicate)).toBe(true);
  });

  it('given an item no stream stores, when published in a batch, then publishMany rejects naming that item', async () => {
    const items = [
      { subject: `${prefix}.ok`, data: utf8('a') },
      { subject: `${uniqueToken('nowhere')}.x`, data: utf8('b') },
      { subject: `${prefix}.ok`, data: utf8('c') },
    ];

    const failure = await publisher.publishMany(items, { maxInFlight: 1 }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(PublishManyError);
    expect(failure).toMatchObject({ index: 1, ackedCount: 1 });
    const info = await jsm.streams.info(stream, { subjects_filter: `${prefix}.ok` });
    expect(info.state.subjects).toEqual({ [`${prefix}.ok`]: 1 });
  });

  it('given headers, when published, then they are stored with the message', async () => {
    const ack = await publisher.publish(`${prefix}.headers`, utf8('h'), { headers: { 'Credence-Kind': 'grant' } });

    const stored = await jsm.streams.getMessage(stream, { seq: ack.seq });
    expect(stored!.header.get('Credence-Kind')).toBe('grant');
  });
});
