import { jetstream, type JetStreamClient, type JetStreamPublishOptions } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { InvariantViolation } from '@credence/kernel';
import { toMsgHdrs, type HeaderRecord } from './headers.js';
import { injectTraceHeaders } from './trace.js';

export type PublishOptions = {
  /** Sent as `Nats-Msg-Id`: the stream drops a repeat within its duplicate window. */
  readonly msgId?: string;
  readonly headers?: HeaderRecord;
};

export type PublishItem = PublishOptions & { readonly subject: string; readonly data: Uint8Array };

/** The stream's receipt: stored (or recognised as a duplicate) on the NATS server, nothing more. */
export type PublishAck = { readonly stream: string; readonly seq: number; readonly duplicate: boolean };

export type PublisherOptions = {
  /** How long one publish waits for the stream's ack. Default 5,000. */
  readonly ackTimeoutMs?: number;
};

export const DEFAULT_PUBLISH_MAX_IN_FLIGHT = 1_000;

export class PublishManyError extends Error {
  override readonly name = 'PublishManyError';
  constructor(
    /** Index in the items of the first publish seen failing; items after it may not have been sent. */
    readonly index: number,
    readonly subject: string,
    /** How many items were acknowledged by the stream before the batch gave up. */
    readonly ackedCount: number,
    options: { cause: unknown },
  ) {
    super(`publish of item ${index} (${subject}) failed: ${String((options.cause as Error)?.message ?? options.cause)}`, options);
  }
}

export class Publisher {
  private readonly js: JetStreamClient;
  private readonly ackTimeoutMs: number;

  constructor(nc: NatsConnection, options: PublisherOptions = {}) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 5_000;
    this.js = jetstream(nc, { timeout: this.ackTimeoutMs });
  }

  /** Rejects when no stream stores the subject, the stream refuses the message, or the ack times out. */
  async publish(subject: string, data: Uint8Array, options: PublishOptions = {}): Promise<PublishAck> {
    const publishOptions: Partial<JetStreamPublishOptions> = { timeout: this.ackTimeoutMs };
    const headers = injectTraceHeaders(options.headers);
    // An empty header block still costs the server a parse per message: send none when there is none.
    for (const _ in headers) {
      publishOptions.headers = toMsgHdrs(headers);
      break;
    }
    if (options.msgId !== undefined) publishOptions.msgID = options.msgId;
    const ack = await this.js.publish(subject, data, publishOptions);
    return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
  }

  /**
   * Publishes with at most `maxInFlight` unacknowledged at once and returns the acks in the items'
   * order. Items are sent in order on one connection, whose messages the server stores in order.
   * On the first failure no further item is sent; the ones in flight settle, then this rejects
   * with a PublishManyError.
   */
  async publishMany(items: readonly PublishItem[], options: { readonly maxInFlight?: number } = {}): Promise<PublishAck[]> {
    const maxInFlight = options.maxInFlight ?? DEFAULT_PUBLISH_MAX_IN_FLIGHT;
    if (maxInFlight < 1) throw new InvariantViolation('maxInFlight must be at least 1');
    const acks = new Array<PublishAck>(items.length);
    let next = 0;
    let acked = 0;
    let failure: { index: number; cause: unknown } | undefined;
    const lane = async (): Promise<void> => {
      while (failure === undefined && next < items.length) {
        const index = next++;
        const item = items[index]!;
        try {
          acks[index] = await this.publish(item.subject, item.data, item);
          acked++;
        } catch (cause) {
          failure ??= { index, cause };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(maxInFlight, items.length) }, lane));
    if (failure !== undefined) {
      throw new PublishManyError(failure.index, items[failure.index]!.subject, acked, { cause: failure.cause });
    }
    return acks;
  }
}
