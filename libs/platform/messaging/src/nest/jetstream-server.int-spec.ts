import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { ensureDurableConsumer } from '../consumers.js';
import type { InboundMessage } from '../inbound.js';
import { ack, type Outcome } from '../outcome.js';
import { Publisher } from '../publisher.js';
import { request } from '../request-reply.js';
import { ensureStream } from '../streams.js';
import { deleteStreamQuietly, openTestNats, TEST_NATS_URL, testStreamSpec, text, uniqueToken, utf8, waitUntil } from '../test-support.js';
import { JetStreamBatchContext, JetStreamServer } from './jetstream-server.js';

const stream = uniqueToken('MSG_NEST').toUpperCase();
const prefix = uniqueToken('msgnest').toLowerCase();
const received: { batch: InboundMessage[]; durable: string }[] = [];
const flakyDeliveries: number[] = [];

@Controller()
class QuoteController {
  @MessagePattern(`${prefix}.quote`)
  quote(@Payload() body: { units: number }): { cost: bigint } {
    return { cost: BigInt(body.units) * 3n };
  }

  @MessagePattern(`${prefix}.explode`)
  explode(): { cost: bigint } {
    throw new RpcException('quote refused');
  }

  @EventPattern<string>('usage-events')
  usage(@Payload() batch: InboundMessage[], @Ctx() ctx: JetStreamBatchContext): Outcome[] {
    received.push({ batch, durable: ctx.getBinding().durable });
    return batch.map(() => ack());
  }

  @EventPattern<string>('flaky-events')
  flaky(@Payload() batch: InboundMessage[]): Outcome[] {
    flakyDeliveries.push(...batch.map((m) => m.deliveryCount));
    if (batch.some((m) => m.deliveryCount === 1)) throw new Error('projection store down');
    return batch.map(() => ack());
  }
}

@Module({ controllers: [QuoteController] })
class QuoteModule {}

describe('JetStreamServer (Nest custom transport)', () => {
  let app: INestMicroservice;
  let server: JetStreamServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    ({ nc, jsm } = await openTestNats('jetstream-server-int-spec-client'));
    server = new JetStreamServer({
      connection: { servers: [TEST_NATS_URL], name: 'jetstream-server-int-spec' },
      queue: 'quote-service',
      consumers: [
        { pattern: 'usage-events', stream, durable: 'usage_projector', batchSize: 50, fetchExpiresMs: 2_000 },
        { pattern: 'flaky-events', stream, durable: 'flaky', batchSize: 50, fetchExpiresMs: 2_000, errorNakDelayMs: 100 },
      ],
      provision: async (serverJsm) => {
        await ensureStream(serverJsm, testStreamSpec(stream, [`${prefix}.usage.>`, `${prefix}.flaky.>`]));
        const limits = { ackWaitMs: 5_000, maxDeliver: 5, backoffMs: [], maxAckPending: 500 };
        await ensureDurableConsumer(serverJsm, stream, { durable: 'flaky', filterSubject: `${prefix}.flaky.>`, ...limits });
        await ensureDurableConsumer(serverJsm, stream, {
          durable: 'usage_projector',
          filterSubject: `${prefix}.usage.>`,
          ackWaitMs: 5_000,
          maxDeliver: 5,
          backoffMs: [],
          maxAckPending: 500,
        });
      },
    });
    app = await NestFactory.createMicroservice(QuoteModule, { strategy: server, logger: false });
    await app.listen();
  });

  afterAll(async () => {
    await app?.close();
    await deleteStreamQuietly(jsm, stream);
    await nc?.close();
  });

  it('given a @MessagePattern, when requested over core NATS, then it answers with JSON (bigints as strings)', async () => {
    const reply = await request(nc, `${prefix}.quote`, utf8(JSON.stringify({ units: 7 })), { timeoutMs: 2_000 });

    expect(reply.ok && JSON.parse(text(reply.value.data))).toEqual({ cost: '21' });
  });

  it('given a handler that throws, then the reply is a JSON error object', async () => {
    const reply = await request(nc, `${prefix}.explode`, utf8('{}'), { timeoutMs: 2_000 });

    expect(reply.ok && JSON.parse(text(reply.value.data))).toEqual({ error: { message: 'quote refused' } });
  });

  it('given messages on the bound stream, then the @EventPattern receives them as a batch and acks them', async () => {
    const publisher = new Publisher(server.getConnection());
    await publisher.publishMany([1, 2, 3].map((i) => ({ subject: `${prefix}.usage.recorded`, data: utf8(String(i)), msgId: `usage-${i}` })));

    await waitUntil(() => received.flatMap((r) => r.batch).length >= 3, 5_000, 'three usage events');

    expect(received.flatMap((r) => r.batch.map((m) => m.msgId))).toEqual(['usage-1', 'usage-2', 'usage-3']);
    expect(received[0]!.durable).toBe('usage_projector');
    await waitUntil(async () => (await jsm.consumers.info(stream, 'usage_projector')).num_ack_pending === 0, 2_000, 'acks');
  });

  it('given an @EventPattern that throws, then its batch is redelivered', async () => {
    await new Publisher(server.getConnection()).publish(`${prefix}.flaky.x`, utf8('x'));

    await waitUntil(() => flakyDeliveries.includes(2), 5_000, 'redelivery');

    expect(flakyDeliveries).toEqual([1, 2]);
  });
});
