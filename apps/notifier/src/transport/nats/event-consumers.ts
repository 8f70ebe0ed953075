import { JetStreamApiCodes, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { ack, BatchConsumer, ensureDurableConsumer, isJetStreamApiError, term, type InboundMessage, type Outcome } from '@credence/platform-messaging';
import type { EventSource } from '../../config/streams.js';
import type { RecordEvents } from '../../application/record-events/record-events.js';
import { Pauses } from '../schedule/pauses.js';

/** The server's code for a filter subject the stream does not carry (yet). */
const FILTER_NOT_IN_STREAM = 10093;

export interface ConsumerLog {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

export interface EventConsumersOptions {
  readonly batchSize: number;
  readonly fetchExpiresMs: number;
  /** How long to wait before looking again for a stream (or a subject) that is not there yet. */
  readonly retryMs: number;
}

/**
 * The JetStream edge: one durable consumer per source stream. The notifier owns none of these
 * streams, so it never creates one (its producer's config is the only one): a stream that does
 * not exist yet (recharge or metering not deployed, or starting after us), or does not carry the
 * subject yet, is looked for again every `retryMs` while the rest of the service runs. The
 * durable consumer delivers from the stream's start, so nothing published meanwhile is missed.
 */
export class EventConsumers {
  private readonly consumers: BatchConsumer[] = [];
  private stopped = false;
  private readonly attaching: Promise<void>[] = [];
  private readonly pauses = new Pauses();

  constructor(
    private readonly nc: NatsConnection,
    private readonly sources: readonly EventSource[],
    private readonly record: RecordEvents,
    private readonly options: EventConsumersOptions,
    private readonly log: ConsumerLog,
  ) {}

  /** Returns at once; each source attaches in the background as soon as it can. */
  start(): void {
    for (const source of this.sources) this.attaching.push(this.attach(source));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pauses.wakeAll();
    await Promise.all(this.attaching);
    await Promise.all(this.consumers.splice(0).map((c) => c.stop()));
  }

  private async attach(source: EventSource): Promise<void> {
    let waitingSaid = '';
    while (!this.stopped) {
      try {
        const jsm = await jetstreamManager(this.nc);
        await ensureDurableConsumer(jsm, source.stream, source.consumer);
        const consumer = new BatchConsumer(this.nc, {
          stream: source.stream,
          durable: source.consumer.durable,
          batchSize: this.options.batchSize,
          fetchExpiresMs: this.options.fetchExpiresMs,
          handler: (batch) => this.handle(source, batch),
          onError: (error, batch) => this.log.error({ stream: source.stream, messages: batch.length, err: describe(error) }, 'event batch failed: nak, retried'),
        });
        if (this.stopped) return;
        await consumer.start();
        this.consumers.push(consumer);
        this.log.info({ stream: source.stream, durable: source.consumer.durable }, 'consuming');
        return;
      } catch (error) {
        const why = isJetStreamApiError(error, JetStreamApiCodes.StreamNotFound)
          ? 'stream does not exist yet: its producer creates it'
          : isJetStreamApiError(error, FILTER_NOT_IN_STREAM)
            ? `stream does not carry ${source.consumer.filterSubject} yet`
            : `cannot attach: ${describe(error)}`;
        // Said once per reason, not every few seconds for as long as a producer is absent.
        if (why !== waitingSaid) this.log.warn({ stream: source.stream, retryMs: this.options.retryMs }, `waiting for ${source.stream}: ${why}`);
        waitingSaid = why;
        await this.pauses.pause(this.options.retryMs);
      }
    }
  }

  private async handle(source: EventSource, batch: InboundMessage[]): Promise<Outcome[]> {
    const dispositions = await this.record.execute(
      source,
      batch.map((m) => ({ subject: m.subject, data: m.data, streamSeq: m.streamSequence })),
    );
    return dispositions.map((d) => (d === 'rejected' ? term('rejected: see the notifier rejects table') : ack()));
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
