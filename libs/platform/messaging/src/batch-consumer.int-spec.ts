import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { BatchConsumer, type BatchHandler } from './batch-consumer.js';
import { ensureDurableConsumer } from './consumers.js';
import type { InboundMessage } from './inbound.js';
import { ack, nak, term } from './outcome.js';
import { Publisher } from './publisher.js';
import { createTestStream, deleteStreamQuietly, openTestNats, sleep, text, uniqueToken, utf8, waitUntil } from './test-support.js';

describe('BatchConsumer', () => {
  const stream = uniqueToken('MSG_BATCH').toUpperCase();
  const prefix = uniqueToken('msgbatch').toLowerCase();
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let publisher: Publisher;
  const running: BatchConsumer[] = [];

  beforeAll(async () => {
    ({ nc, jsm } = await openTestNats('batch-consumer-int-spec'));
    await createTestStream(jsm, stream, [`${prefix}.>`]);
    publisher = new Publisher(nc);
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((c) => c.stop()));
  });

  afterAll(async () => {
    await deleteStreamQuietly(jsm, stream);
    await nc?.close();
  });

  /** Each test gets its own durable consumer over its own subjects of the shared stream. */
  async function startConsumer(name: string, handler: BatchHandler, extra: { batchSize?: number; ackWaitMs?: number } = {}) {
    const errors: unknown[] = [];
    await ensureDurableConsumer(jsm, stream, {
      durable: name,
      filterSubject: `${prefix}.${name}.>`,
      ackWaitMs: extra.ackWaitMs ?? 2_000,
      maxDeliver: 10,
      backoffMs: [],
      maxAckPending: 1_000,
    });
    const consumer = new BatchConsumer(nc, {
      stream,
      durable: name,
      batchSize: extra.batchSize ?? 10,
      fetchExpiresMs: 2_000,
      errorNakDelayMs: 200,
      handler,
      onError: (error) => errors.push(error),
    });
    await consumer.start();
    running.push(consumer);
    return { consumer, errors };
  }

  const publishN = (name: string, n: number) =>
    publisher.publishMany(
      Array.from({ length: n }, (_, i) => ({ subject: `${prefix}.${name}.m`, data: utf8(String(i)), msgId: `${name}-${i}`, headers: { 'X-Index': String(i) } })),
    );

  it('given queued messages, when the handler acks, then batches respect batchSize, keep stream order and nothing is redelivered', async () => {
    await publishN('acked', 35);
    const seen: InboundMessage[] = [];
    const sizes: number[] = [];
    await startConsumer(
      'acked',
      (batch) => {
        sizes.push(batch.length);
        seen.push(...batch);
        return Promise.resolve(batch.map(() => ack()));
      },
      { batchSize: 10, ackWaitMs: 1_000 },
    );

    await waitUntil(() => seen.length >= 35, 10_000, '35 messages');
    await sleep(1_500); // past the ack wait: an unacked message would be back by now

    expect(seen).toHaveLength(35);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(10);
    expect(seen.map((m) => text(m.data))).toEqual(Array.from({ length: 35 }, (_, i) => String(i)));
    const sequences = seen.map((m) => m.streamSequence);
    expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
    expect(seen[3]).toMatchObject({ subject: `${prefix}.acked.m`, deliveryCount: 1, msgId: 'acked-3', headers: { 'X-Index': '3' } });
    const info = await jsm.consumers.info(stream, 'acked');
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
  });

  it('given a nak with a delay, then the message comes back after that delay with deliveryCount 2', async () => {
    const deliveries: { at: number; deliveryCount: number }[] = [];
    await startConsumer('naked', (batch) =>
      Promise.resolve(
        batch.map((m) => {
          deliveries.push({ at: Date.now(), deliveryCount: m.deliveryCount });
          return m.deliveryCount === 1 ? nak(500) : ack();
        }),
      ),
    );
    await publishN('naked', 1);

    await waitUntil(() => deliveries.length >= 2, 10_000, 'redelivery');

    expect(deliveries.map((d) => d.deliveryCount)).toEqual([1, 2]);
    expect(deliveries[1]!.at - deliveries[0]!.at).toBeGreaterThanOrEqual(450);
  });

  it('given a term, then the message is never redelivered', async () => {
    let deliveries = 0;
    await startConsumer(
      'termed',
      (batch) => {
        deliveries += batch.length;
        return Promise.resolve(batch.map(() => term('poison')));
      },
      { ackWaitMs: 500 },
    );
    await publishN('termed', 1);

    await waitUntil(() => deliveries >= 1, 10_000, 'first delivery');
    await sleep(1_500); // three ack waits

    expect(deliveries).toBe(1);
    expect((await jsm.consumers.info(stream, 'termed')).num_ack_pending).toBe(0);
  });

  it('given a handler that throws, then the whole batch is redelivered and the error reported', async () => {
    const deliveryCounts: number[] = [];
    const { errors } = await startConsumer('throwing', async (batch) => {
      deliveryCounts.push(...batch.map((m) => m.deliveryCount));
      await sleep(1);
      if (batch.some((m) => m.deliveryCount === 1)) throw new Error('database down');
      return batch.map(() => ack());
    });
    await publishN('throwing', 3);

    await waitUntil(() => deliveryCounts.filter((c) => c === 2).length >= 3, 10_000, 'redeliveries');

    expect(deliveryCounts.filter((c) => c === 1)).toHaveLength(3);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect((errors[0] as Error).message).toBe('database down');
  });

  it('given a handler returning the wrong number of outcomes, then the batch is nak-ed and reported as a bug', async () => {
    let calls = 0;
    const { errors } = await startConsumer('miscounted', () => {
      calls++;
      return Promise.resolve([]);
    });
    await publishN('miscounted', 1);

    await waitUntil(() => calls >= 2, 10_000, 'redelivery after a bad outcome count');

    expect((errors[0] as Error).name).toBe('InvariantViolation');
  });

  it('given a batch in progress, when stopped, then the batch is settled before stop resolves', async () => {
    let release: () => void = () => undefined;
    let started = false;
    const { consumer } = await startConsumer('stopping', async (batch) => {
      started = true;
      await new Promise<void>((resolve) => (release = resolve));
      return batch.map(() => ack());
    });
    await publishN('stopping', 1);
    await waitUntil(() => started, 10_000, 'batch start');

    let stopped = false;
    const stopping = consumer.stop().then(() => (stopped = true));
    await sleep(100);
    expect(stopped).toBe(false);
    release();
    await stopping;

    await waitUntil(async () => (await jsm.consumers.info(stream, 'stopping')).num_ack_pending === 0, 2_000, 'ack of the last batch');
  });
});
