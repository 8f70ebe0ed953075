import {
  LEDGER_EVENT_SUBJECTS,
  LEDGER_EVENTS_STREAM,
  RECHARGE_BALANCE_LOW_CONSUMER,
  RECHARGE_EVENT_SUBJECTS,
  RECHARGE_EVENTS_STREAM,
  streamName,
  subject,
  type Namespace,
} from '@credence/contracts';
import type { DurableConsumerSpec, StreamSpec } from '@credence/platform-messaging';
import type { RechargeConfig } from './recharge-config.js';

const DAY_MS = 86_400_000;

/** Every purchase attempt, replayable by the notifier and analysts; Postgres (the outbox) is the record. */
export const rechargeStream = (ns: Namespace, c: RechargeConfig): StreamSpec => ({
  name: streamName(ns, RECHARGE_EVENTS_STREAM),
  subjects: Object.values(RECHARGE_EVENT_SUBJECTS).map((s) => subject(ns, s)),
  maxAgeMs: 365 * DAY_MS,
  duplicateWindowMs: c.STREAM_DUPLICATE_WINDOW_MS,
  maxBytes: c.RECHARGE_STREAM_MAX_BYTES,
  maxMsgSize: 16 * 1024,
  // When full, the relay waits and retries: nothing unpublished is lost, nothing published dropped.
  discard: 'new',
});

/** The ledger owns the LEDGER stream; recharge only adds its durable consumer of low-balance events. */
export const ledgerStreamName = (ns: Namespace): string => streamName(ns, LEDGER_EVENTS_STREAM);

export const balanceLowConsumer = (ns: Namespace, c: RechargeConfig): DurableConsumerSpec => ({
  durable: RECHARGE_BALANCE_LOW_CONSUMER,
  filterSubject: subject(ns, LEDGER_EVENT_SUBJECTS.BalanceLow),
  ackWaitMs: c.BALANCE_LOW_ACK_WAIT_MS,
  // A crossing must never be dropped for want of a retry: outages of metering or the catalog nak it
  // with a delay; a message that can never be read is terminated by the handler.
  maxDeliver: -1,
  backoffMs: [],
  maxAckPending: c.BALANCE_LOW_MAX_ACK_PENDING,
});
