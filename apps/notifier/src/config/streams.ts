import {
  CATALOG_EVENTS_STREAM,
  CATALOG_PRICE_CHANGE_SUBJECT,
  LEDGER_EVENTS_STREAM,
  METERING_EVENTS_STREAM,
  RECHARGE_EVENTS_STREAM,
  streamName,
  subject,
  type Namespace,
} from '@credence/contracts';
import type { DurableConsumerSpec } from '@credence/platform-messaging';
import type { NotifierConfig } from './notifier-config.js';

export type SourceName = 'ledger' | 'recharge' | 'metering' | 'catalog';

/** A stream the notifier reads but does not own: its producer creates it (the notifier waits for it). */
export interface EventSource {
  readonly name: SourceName;
  readonly stream: string;
  readonly consumer: DurableConsumerSpec;
}

/** The four durable consumers (`notifier-<source>`), one per producer's stream. */
export function eventSources(ns: Namespace, c: NotifierConfig): readonly EventSource[] {
  const consumer = (durable: string, filterSubject: string): DurableConsumerSpec => ({
    durable,
    filterSubject,
    ackWaitMs: c.EVENT_ACK_WAIT_MS,
    // Unusable messages are terminated at once (and kept in rejects): only outages retry, for ever.
    maxDeliver: -1,
    backoffMs: [],
    maxAckPending: c.EVENT_MAX_ACK_PENDING,
  });
  return [
    // NATS 2.9 allows one filter subject per consumer and four ledger types matter
    // (BalanceLow, PeriodReset, GrantIssued, GrantExpired): the consumer reads the whole stream
    // and skips the rest, which costs little next to a second round trip per type.
    { name: 'ledger', stream: streamName(ns, LEDGER_EVENTS_STREAM), consumer: consumer('notifier-ledger', '') },
    { name: 'recharge', stream: streamName(ns, RECHARGE_EVENTS_STREAM), consumer: consumer('notifier-recharge', '') },
    { name: 'metering', stream: streamName(ns, METERING_EVENTS_STREAM), consumer: consumer('notifier-metering', '') },
    // The catalog stream also carries catalog.v1.catalog.published, which is none of our business.
    { name: 'catalog', stream: streamName(ns, CATALOG_EVENTS_STREAM), consumer: consumer('notifier-catalog', subject(ns, CATALOG_PRICE_CHANGE_SUBJECT)) },
  ];
}
