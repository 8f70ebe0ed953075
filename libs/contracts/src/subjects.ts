/**
 * Every NATS subject and JetStream stream name of Credence, in one place.
 * Subjects are `<domain>.v<N>.<entity>.<verb>`: imperative for commands, past tense for events.
 * A namespace prefix (empty in production) lets several isolated deployments, or test files,
 * share one NATS server: streams in one account cannot share subjects.
 */
export interface Namespace {
  /** '' in production; e.g. 't1a2b' in a test. Subjects become `<prefix>.<subject>`, streams `<PREFIX>_<STREAM>`. */
  readonly prefix: string;
}

export const ROOT_NAMESPACE: Namespace = { prefix: '' };

export const subject = (ns: Namespace, s: string): string => (ns.prefix ? `${ns.prefix}.${s}` : s);
export const streamName = (ns: Namespace, s: string): string => (ns.prefix ? `${ns.prefix.toUpperCase()}_${s}` : s);

export const LEDGER_COMMAND_SUBJECTS = {
  IssueGrant: 'ledger.v1.grant.issue',
  RecordUsage: 'ledger.v1.usage.record',
  CaptureHold: 'ledger.v1.hold.capture',
  ReleaseHold: 'ledger.v1.hold.release',
  IssueRefund: 'ledger.v1.refund.issue',
  ConfigureThreshold: 'ledger.v1.threshold.configure',
  ConfigureAllowance: 'ledger.v1.allowance.configure',
} as const;
export type LedgerCommandKind = keyof typeof LEDGER_COMMAND_SUBJECTS;

/** Core NATS request/reply (not stored): the answer is the point. */
export const LEDGER_PLACE_HOLD_SUBJECT = 'ledger.v1.hold.place';

export const LEDGER_EVENT_SUBJECTS = {
  GrantIssued: 'ledger.v1.grant.issued',
  GrantExpired: 'ledger.v1.grant.expired',
  DebtSettled: 'ledger.v1.debt.settled',
  HoldPlaced: 'ledger.v1.hold.placed',
  HoldCaptured: 'ledger.v1.hold.captured',
  HoldReleased: 'ledger.v1.hold.released',
  HoldExpired: 'ledger.v1.hold.expired',
  UsageDeducted: 'ledger.v1.usage.deducted',
  RefundIssued: 'ledger.v1.refund.issued',
  PeriodReset: 'ledger.v1.period.reset',
  AllowanceSet: 'ledger.v1.allowance.set',
  ThresholdSet: 'ledger.v1.threshold.set',
  ThresholdRemoved: 'ledger.v1.threshold.removed',
  BalanceLow: 'ledger.v1.balance.low',
  ThresholdRearmed: 'ledger.v1.threshold.rearmed',
} as const;
export type LedgerEventKind = keyof typeof LEDGER_EVENT_SUBJECTS;

/** Commands to the ledger, kept until applied. */
export const LEDGER_COMMANDS_STREAM = 'LEDGER_COMMANDS';
/** Every committed ledger event, in commit order, for other services and for analysts to replay. */
export const LEDGER_EVENTS_STREAM = 'LEDGER';
export const LEDGER_COMMANDS_CONSUMER = 'ledger-commands';
