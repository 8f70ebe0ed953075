import type { LedgerEventEnvelope } from '@credence/contracts';
import type { LedgerQueries, StoredEvent } from '@credence/ledger-data-access';

export interface EventSink {
  /** Publishes in order; resolves when every message is stored by the stream. Must dedupe on `msgId`. */
  publishMany(items: ReadonlyArray<{ subject: string; data: Uint8Array; msgId: string }>): Promise<void>;
}

export interface PublishEventsOptions {
  readonly batchSize: number;
  readonly positionName: string;
}

export const toEnvelope = (e: StoredEvent): LedgerEventEnvelope => ({
  id: e.eventId,
  seq: e.seq.toString(),
  accountId: e.accountId,
  type: String(e.data['type']),
  at: e.occurredAt.toISOString(),
  commandKey: e.commandKey,
  balanceAfter: e.balanceAfter.toString(),
  data: e.data,
});

/**
 * The outbox relay: the event log itself is the outbox. It reads the log after its saved
 * position, in position order (which is commit order, see LedgerStore), publishes with
 * `Nats-Msg-Id` = event id, then saves the position. A crash between publish and save
 * republishes a few events, which the stream drops as duplicates within its window.
 * Exactly one relay should run at a time (the caller holds a leader lock).
 */
export class PublishEvents {
  constructor(
    private readonly queries: LedgerQueries,
    private readonly sink: EventSink,
    private readonly subjectOf: (type: string) => string,
    private readonly options: PublishEventsOptions,
  ) {}

  /** One pass; returns how many events it published. */
  async runOnce(): Promise<number> {
    const from = await this.queries.outboxPosition(this.options.positionName);
    const events = await this.queries.eventsAfter(from, this.options.batchSize);
    const last = events.at(-1);
    if (!last) return 0;
    await this.sink.publishMany(
      events.map((e) => ({
        subject: this.subjectOf(String(e.data['type'])),
        data: Buffer.from(JSON.stringify(toEnvelope(e))),
        msgId: e.eventId,
      })),
    );
    await this.queries.saveOutboxPosition(this.options.positionName, last.seq);
    return events.length;
  }
}
