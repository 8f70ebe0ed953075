import {
  LEDGER_COMMAND_SUBJECTS,
  LEDGER_COMMANDS_CONSUMER,
  LEDGER_COMMANDS_STREAM,
  LEDGER_EVENT_SUBJECTS,
  LEDGER_EVENTS_STREAM,
  streamName,
  subject,
  type Namespace,
} from '@credence/contracts';
import type { DurableConsumerSpec, StreamSpec } from '@credence/platform-messaging';
import type { LedgerConfig } from './ledger-config.js';

const DAY_MS = 86_400_000;

/** Commands wait here until applied; a week is ample for any outage the ledger survives. */
export const commandStream = (ns: Namespace, c: LedgerConfig): StreamSpec => ({
  name: streamName(ns, LEDGER_COMMANDS_STREAM),
  subjects: Object.values(LEDGER_COMMAND_SUBJECTS).map((s) => subject(ns, s)),
  maxAgeMs: 7 * DAY_MS,
  duplicateWindowMs: c.STREAM_DUPLICATE_WINDOW_MS,
  maxBytes: c.COMMAND_STREAM_MAX_BYTES,
  maxMsgSize: 64 * 1024,
  // Refuse new commands when full rather than silently dropping old, unapplied ones.
  discard: 'new',
});

/** The replayable history of every committed event, for other services and analysts. */
export const eventStream = (ns: Namespace, c: LedgerConfig): StreamSpec => ({
  name: streamName(ns, LEDGER_EVENTS_STREAM),
  subjects: Object.values(LEDGER_EVENT_SUBJECTS).map((s) => subject(ns, s)),
  maxAgeMs: 365 * DAY_MS,
  duplicateWindowMs: c.STREAM_DUPLICATE_WINDOW_MS,
  maxBytes: c.EVENT_STREAM_MAX_BYTES,
  maxMsgSize: 64 * 1024,
  discard: 'new',
});

export const commandConsumer = (ns: Namespace, c: LedgerConfig): DurableConsumerSpec => ({
  durable: LEDGER_COMMANDS_CONSUMER,
  // Every subject of the command stream.
  filterSubject: '',
  ackWaitMs: c.COMMAND_ACK_WAIT_MS,
  maxDeliver: c.COMMAND_MAX_DELIVER,
  backoffMs: [],
  maxAckPending: c.COMMAND_MAX_ACK_PENDING,
});

const BY_SUBJECT = new Map(Object.entries(LEDGER_COMMAND_SUBJECTS).map(([kind, s]) => [s, kind]));

/** The command kind a (possibly prefixed) subject stands for. */
export function kindOfSubject(ns: Namespace, s: string): string | undefined {
  const bare = ns.prefix && s.startsWith(`${ns.prefix}.`) ? s.slice(ns.prefix.length + 1) : s;
  return BY_SUBJECT.get(bare as (typeof LEDGER_COMMAND_SUBJECTS)[keyof typeof LEDGER_COMMAND_SUBJECTS]);
}
