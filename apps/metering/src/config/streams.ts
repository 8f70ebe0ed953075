import { METERING_EVENT_SUBJECTS, METERING_EVENTS_STREAM, METERING_USAGE_CONSUMER, METERING_USAGE_RECORD_SUBJECT, METERING_USAGE_STREAM, streamName, subject, type Namespace } from '@credence/contracts';
import type { DurableConsumerSpec, StreamSpec } from '@credence/platform-messaging';
import type { MeteringConfig } from './metering-config.js';

const DAY_MS = 86_400_000;

/** Post-paid usage waits here until forwarded to the ledger; a week is ample for any outage. */
export const usageStream = (ns: Namespace, c: MeteringConfig): StreamSpec => ({
  name: streamName(ns, METERING_USAGE_STREAM),
  subjects: [subject(ns, METERING_USAGE_RECORD_SUBJECT)],
  maxAgeMs: 7 * DAY_MS,
  duplicateWindowMs: c.STREAM_DUPLICATE_WINDOW_MS,
  maxBytes: c.USAGE_STREAM_MAX_BYTES,
  maxMsgSize: 64 * 1024,
  // Usage already happened: refuse new events when full rather than drop unforwarded ones.
  discard: 'new',
});

export const usageConsumer = (c: MeteringConfig): DurableConsumerSpec => ({
  durable: METERING_USAGE_CONSUMER,
  filterSubject: '',
  ackWaitMs: c.USAGE_ACK_WAIT_MS,
  // An invalid event is terminated at once (and kept in rejects): only outages retry, forever.
  maxDeliver: -1,
  backoffMs: [],
  maxAckPending: c.USAGE_MAX_ACK_PENDING,
});

/** Facts for other services (the notifier): limits reached, subscriptions set. A month covers any consumer's outage. */
export const eventsStream = (ns: Namespace, c: MeteringConfig): StreamSpec => ({
  name: streamName(ns, METERING_EVENTS_STREAM),
  subjects: Object.values(METERING_EVENT_SUBJECTS).map((s) => subject(ns, s)),
  maxAgeMs: 30 * DAY_MS,
  duplicateWindowMs: c.STREAM_DUPLICATE_WINDOW_MS,
  maxBytes: c.EVENT_STREAM_MAX_BYTES,
  maxMsgSize: 64 * 1024,
  // The outbox keeps every event in Postgres: when full, drop the oldest rather than block the relay.
  discard: 'old',
});
