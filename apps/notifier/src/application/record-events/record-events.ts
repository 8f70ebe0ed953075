import type { Clock } from '@credence/kernel';
import type { NotificationKind as WireKind } from '@credence/contracts';
import type { NotifierStore, Recorded, RejectToRecord } from '@credence/notifier-data-access';
import {
  fromLedgerEvent,
  fromMeteringEvent,
  fromPriceChange,
  fromRechargeEvent,
  giveUpAt,
  MalformedEvent,
  stillNews,
  type Effect,
  type MappingOptions,
  type NotificationKind,
  type RetryPolicy,
} from '@credence/notifier-domain';
import type { SourceName } from '../../config/streams.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** The domain names the kinds itself (it may not import the contracts): this line fails to compile when the two lists part. */
export const KINDS_AGREE: Same<WireKind, NotificationKind> = true;

export interface RawEvent {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly streamSeq: number;
}

/** recorded: its effects are committed (a repeat included); ignored: nothing to do; rejected: kept in rejects, never retried. */
export type Disposition = 'recorded' | 'ignored' | 'rejected';

export interface RecordEventsOptions {
  readonly mapping: MappingOptions;
  readonly maxCauseAgeMs: number;
  readonly retry: RetryPolicy;
}

const MAPPERS: Readonly<Record<SourceName, (plain: unknown, o: MappingOptions) => Effect[]>> = {
  ledger: fromLedgerEvent,
  recharge: (plain) => fromRechargeEvent(plain),
  metering: (plain) => fromMeteringEvent(plain),
  catalog: (plain) => fromPriceChange(plain),
};

/**
 * A batch of one source's events: each mapped to its effects (notifications, reminders,
 * subscriptions), all of them committed in one transaction, then the batch may be acked. A cause
 * already recorded records nothing, which is what makes a redelivered or re-published event harmless.
 */
export class RecordEvents {
  constructor(
    private readonly store: NotifierStore,
    private readonly clock: Clock,
    private readonly options: RecordEventsOptions,
    /** Told when new deliveries are waiting (the local worker starts at once instead of at its next poll). */
    private readonly onDeliveries: (recorded: Recorded) => void = () => undefined,
  ) {}

  async execute(source: { readonly name: SourceName; readonly stream: string }, messages: readonly RawEvent[]): Promise<Disposition[]> {
    const now = this.clock.now();
    const effects: Effect[] = [];
    const rejects: RejectToRecord[] = [];
    const dispositions = messages.map((m): Disposition => {
      const reject = (reason: string): Disposition => {
        rejects.push({ stream: source.stream, subject: m.subject, streamSeq: m.streamSeq, reason, raw: m.data });
        return 'rejected';
      };
      let plain: unknown;
      try {
        plain = JSON.parse(Buffer.from(m.data).toString('utf8'));
      } catch (e) {
        return reject(`not JSON: ${(e as Error).message}`);
      }
      try {
        const mapped = MAPPERS[source.name](plain, this.options.mapping).filter((e) => stillNews(e, now, this.options.maxCauseAgeMs));
        effects.push(...mapped);
        return mapped.length > 0 ? 'recorded' : 'ignored';
      } catch (e) {
        if (e instanceof MalformedEvent) return reject(e.message);
        throw e;
      }
    });
    if (effects.length > 0 || rejects.length > 0) {
      const recorded = await this.store.apply(effects, rejects, { now: new Date(now), giveUpAt: new Date(giveUpAt(now, this.options.retry)) });
      if (recorded.deliveries > 0) this.onDeliveries(recorded);
    }
    return dispositions;
  }
}
