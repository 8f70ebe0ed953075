import { AsyncLocalStorage } from 'node:async_hooks';
import { context, propagation, ROOT_CONTEXT, trace, TraceFlags, type Context, type ContextManager } from '@opentelemetry/api';
import { core } from '@opentelemetry/sdk-node';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { BatchConsumer } from './batch-consumer.js';
import { ensureDurableConsumer } from './consumers.js';
import { ack } from './outcome.js';
import { Publisher } from './publisher.js';
import { request, serveRequests } from './request-reply.js';
import { createTestStream, deleteStreamQuietly, openTestNats, uniqueToken, utf8, waitUntil } from './test-support.js';

/** The smallest AsyncLocalStorage context manager, so the test needs no SDK wiring. */
class TestContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();
  active = (): Context => this.storage.getStore() ?? ROOT_CONTEXT;
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.storage.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable = (): this => this;
  disable = (): this => this;
}

const producerSpan = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: false,
};
const activeTraceId = () => trace.getSpanContext(context.active())?.traceId;

describe('trace propagation through NATS headers', () => {
  const stream = uniqueToken('MSG_TRACE').toUpperCase();
  const prefix = uniqueToken('msgtrace').toLowerCase();
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    context.setGlobalContextManager(new TestContextManager());
    propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
    ({ nc, jsm } = await openTestNats('trace-int-spec'));
    await createTestStream(jsm, stream, [`${prefix}.>`]);
  });

  afterAll(async () => {
    await deleteStreamQuietly(jsm, stream);
    await nc?.close();
    propagation.disable();
    context.disable();
  });

  it('given an active span, when published, then the batch handler runs inside the producer trace', async () => {
    await ensureDurableConsumer(jsm, stream, { durable: 'traced', filterSubject: `${prefix}.events`, ackWaitMs: 5_000, maxDeliver: 3, backoffMs: [], maxAckPending: 100 });
    const seen: { header: string | undefined; traceId: string | undefined }[] = [];
    const consumer = new BatchConsumer(nc, {
      stream,
      durable: 'traced',
      batchSize: 10,
      fetchExpiresMs: 2_000,
      handler: (batch) => {
        seen.push(...batch.map((m) => ({ header: m.headers['traceparent'], traceId: activeTraceId() })));
        return Promise.resolve(batch.map(() => ack()));
      },
      onError: () => undefined,
    });
    await consumer.start();

    await context.with(trace.setSpanContext(ROOT_CONTEXT, producerSpan), () => new Publisher(nc).publish(`${prefix}.events`, utf8('x')));
    await waitUntil(() => seen.length === 1, 5_000, 'traced message');
    await consumer.stop();

    expect(seen[0]).toEqual({ header: `00-${producerSpan.traceId}-${producerSpan.spanId}-01`, traceId: producerSpan.traceId });
  });

  it('given an active span, when requesting, then the request handler runs inside the caller trace', async () => {
    let handlerTraceId: string | undefined;
    const server = serveRequests(nc, `${prefix}.rpc`, {
      queue: 'q',
      maxConcurrent: 1,
      handler: (r) => {
        handlerTraceId = activeTraceId();
        return Promise.resolve(r.data);
      },
    });
    await nc.flush();

    const reply = await context.with(trace.setSpanContext(ROOT_CONTEXT, producerSpan), () =>
      request(nc, `${prefix}.rpc`, utf8('x'), { timeoutMs: 2_000 }),
    );
    await server.stop();

    expect(reply.ok).toBe(true);
    expect(handlerTraceId).toBe(producerSpan.traceId);
  });
});
