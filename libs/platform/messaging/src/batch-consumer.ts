import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { context } from '@opentelemetry/api';
import { jetstream, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { InvariantViolation } from '@credence/kernel';
import { toInboundMessage, type InboundMessage } from './inbound.js';
import { errorNakDelayMs, serverAtLeast, settle, type Outcome } from './outcome.js';

export type BatchHandler = (batch: InboundMessage[]) => Promise<Outcome[]>;

export type BatchConsumerOptions = {
  readonly stream: string;
  /** The durable pull consumer must already exist (see ensureDurableConsumer). */
  readonly durable: string;
  /** Most messages handed to the handler at once. */
  readonly batchSize: number;
  /** Lifetime of each pull request on the server; at least 1,000 (client rule). */
  readonly fetchExpiresMs: number;
  /** Messages received but not yet handed over; pulling pauses above it. Default 2 × batchSize. */
  readonly maxBufferedMessages?: number;
  /** First nak delay after the handler throws; doubles per delivery. Default 1,000. */
  readonly errorNakDelayMs?: number;
  /** Cap of that delay. Default 30,000. */
  readonly maxErrorNakDelayMs?: number;
  /** Pause before pulling again after the pull loop failed. Default 1,000. */
  readonly restartDelayMs?: number;
  readonly handler: BatchHandler;
  /** Handler failures (the batch was nak'ed) and pull failures (batch is empty). */
  readonly onError: (error: unknown, batch: readonly InboundMessage[]) => void;
};

const DEFAULT_ERROR_NAK_DELAY_MS = 1_000;
const DEFAULT_MAX_ERROR_NAK_DELAY_MS = 30_000;
const DEFAULT_RESTART_DELAY_MS = 1_000;

/**
 * Hands a durable pull consumer's messages to `handler` one batch at a time, in delivery order.
 *
 * A single `consume()` iterator keeps pull requests open, so a partial batch is handed over as
 * soon as it is there instead of waiting for a fetch to expire. The iterator only issues its next
 * pull when read, and it is not read while the local buffer is full: memory stays bounded by
 * `maxBufferedMessages` plus one pull (`batchSize`), and the server's `maxAckPending` caps it too.
 */
export class BatchConsumer {
  private readonly maxBuffered: number;
  private readonly buffer: JsMsg[] = [];
  private messages: ConsumerMessages | undefined;
  private stopping = false;
  private running: Promise<void> | undefined;
  private wakeLoop: (() => void) | undefined;
  private wakePump: (() => void) | undefined;
  private readonly termReasonSupported: boolean;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: BatchConsumerOptions,
  ) {
    if (options.batchSize < 1) throw new InvariantViolation('batchSize must be at least 1');
    this.maxBuffered = Math.max(options.maxBufferedMessages ?? options.batchSize * 2, options.batchSize);
    this.termReasonSupported = serverAtLeast(nc.info?.version, 2, 11);
  }

  /** Resolves once pulling started; rejects if the stream or durable consumer does not exist. */
  async start(): Promise<void> {
    if (this.running !== undefined) throw new InvariantViolation('BatchConsumer already started');
    const consumer = await jetstream(this.nc).consumers.get(this.options.stream, this.options.durable);
    const { batchSize, fetchExpiresMs } = this.options;
    const open = () => consumer.consume({ max_messages: batchSize, expires: fetchExpiresMs });
    const first = await open();
    this.running = Promise.all([this.pump(first, open), this.loop()]).then(() => undefined);
  }

  /** Lets the batch in progress finish and be settled, returns buffered messages for redelivery, then resolves. */
  async stop(): Promise<void> {
    if (this.running === undefined) return;
    this.stopping = true;
    this.messages?.stop();
    this.wakeLoop?.();
    this.wakePump?.();
    await this.running;
    // Never handed over: release them now rather than after the ack wait.
    for (const msg of this.buffer.splice(0)) msg.nak();
  }

  private async pump(first: ConsumerMessages, open: () => Promise<ConsumerMessages>): Promise<void> {
    let messages: ConsumerMessages | undefined = first;
    while (!this.stopping) {
      try {
        messages ??= await open();
        this.messages = messages;
        if (this.stopping) messages.stop();
        for await (const msg of messages) {
          if (this.stopping) {
            msg.nak();
            continue;
          }
          this.buffer.push(msg);
          this.wakeLoop?.();
          while (this.buffer.length >= this.maxBuffered && !this.stopping) {
            await new Promise<void>((resolve) => (this.wakePump = resolve));
          }
        }
      } catch (error) {
        if (!this.stopping) this.report(error, []);
      }
      messages = undefined;
      if (this.stopping || this.nc.isClosed()) break;
      await new Promise((resolve) => setTimeout(resolve, this.options.restartDelayMs ?? DEFAULT_RESTART_DELAY_MS));
    }
    this.stopping = true;
    this.wakeLoop?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      if (this.buffer.length === 0) {
        await new Promise<void>((resolve) => (this.wakeLoop = resolve));
        continue;
      }
      // The rest of a burst is usually already parsed: one macrotask lets it join this batch.
      if (this.buffer.length < this.options.batchSize) await nextMacrotask();
      if (this.stopping) break;
      const raw = this.buffer.splice(0, this.options.batchSize);
      this.wakePump?.();
      await this.process(raw);
    }
  }

  private async process(raw: JsMsg[]): Promise<void> {
    const batch = raw.map(toInboundMessage);
    let outcomes: Outcome[];
    try {
      // A batch has one context to run in; the first message's is the least surprising choice.
      outcomes = await context.with(batch[0]!.traceContext, () => this.options.handler(batch));
      if (!Array.isArray(outcomes) || outcomes.length !== batch.length) {
        throw new InvariantViolation(`batch handler returned ${outcomes?.length} outcomes for ${batch.length} messages`);
      }
    } catch (error) {
      const base = this.options.errorNakDelayMs ?? DEFAULT_ERROR_NAK_DELAY_MS;
      const max = this.options.maxErrorNakDelayMs ?? DEFAULT_MAX_ERROR_NAK_DELAY_MS;
      for (const msg of raw) msg.nak(errorNakDelayMs(msg.info.deliveryCount, base, max));
      this.report(error, batch);
      return;
    }
    // Settling writes to the connection; a draining or closed one throws. The batch is done either
    // way (unsettled messages come back after their ack wait): report it, keep the loop alive.
    try {
      raw.forEach((msg, i) => settle(msg, outcomes[i]!, this.termReasonSupported));
    } catch (error) {
      this.report(error, batch);
    }
  }

  private report(error: unknown, batch: readonly InboundMessage[]): void {
    try {
      this.options.onError(error, batch);
    } catch {
      // A failing error reporter must not stop consumption.
    }
  }
}
