import { subject, type Namespace } from '@credence/contracts';
import type { RechargeQueries } from '@credence/recharge-data-access';

export interface EventSink {
  /** Publishes in order; resolves when the stream stored every message. Dedupes on `msgId`. */
  publishMany(items: ReadonlyArray<{ subject: string; data: Uint8Array; msgId: string }>): Promise<unknown>;
}

/** The relay's advisory lock, one per schema: "RCHG". */
export const RELAY_LOCK = 0x52434847;

/**
 * The outbox relay: RechargeEvents committed with the change they report are published on stream
 * RECHARGE with `Nats-Msg-Id` = event id, then marked published. A crash in between publishes them
 * again, which the stream drops within its duplicate window (consumers dedupe on `id` after it).
 */
export class PublishEvents {
  constructor(
    private readonly queries: RechargeQueries,
    private readonly sink: EventSink,
    private readonly ns: Namespace,
    private readonly batchSize: number,
  ) {}

  runOnce(): Promise<number> {
    return this.queries.relay(this.batchSize, RELAY_LOCK, async (events) => {
      await this.sink.publishMany(events.map((e) => ({ subject: subject(this.ns, e.subject), data: Buffer.from(JSON.stringify(e.body)), msgId: e.id })));
    });
  }
}
