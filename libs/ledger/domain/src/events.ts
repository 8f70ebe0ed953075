import type { Allocation, GrantSource, Resource } from './model.js';

/** Everything that ever happens to an account. Past tense, readonly, never updated once written. */
export type LedgerEvent =
  | GrantIssued
  | GrantExpired
  | DebtSettled
  | HoldPlaced
  | HoldCaptured
  | HoldReleased
  | HoldExpired
  | UsageDeducted
  | RefundIssued
  | PeriodReset
  | AllowanceSet
  | ThresholdSet
  | ThresholdRemoved
  | BalanceLow
  | ThresholdRearmed;

export type LedgerEventType = LedgerEvent['type'];

interface Base {
  /** When the event took effect (the ledger's clock at decision time). */
  readonly at: number;
}

export interface GrantIssued extends Base {
  readonly type: 'GrantIssued';
  readonly grantId: string;
  readonly source: GrantSource;
  readonly amount: bigint;
  readonly priority: number;
  readonly effectiveAt: number;
  readonly expiresAt: number | null;
  readonly reason: string | null;
}

export interface GrantExpired extends Base {
  readonly type: 'GrantExpired';
  readonly grantId: string;
  /** What was left in the grant and is now gone. */
  readonly amount: bigint;
}

/** Credits that arrived while the account owed some paid the debt first. */
export interface DebtSettled extends Base {
  readonly type: 'DebtSettled';
  readonly amount: bigint;
  readonly allocations: readonly Allocation[];
}

export interface HoldPlaced extends Base {
  readonly type: 'HoldPlaced';
  readonly holdId: string;
  readonly amount: bigint;
  readonly expiresAt: number;
  readonly resource: Resource;
}

/** The real cost was charged against the hold; the rest of the hold is released in the same event. */
export interface HoldCaptured extends Base {
  readonly type: 'HoldCaptured';
  readonly holdId: string;
  readonly amount: bigint;
  readonly released: bigint;
  readonly allocations: readonly Allocation[];
  readonly debtIncurred: bigint;
  readonly priceVersion: string | null;
  readonly resource: Resource;
}

export interface HoldReleased extends Base {
  readonly type: 'HoldReleased';
  readonly holdId: string;
  readonly amount: bigint;
}

export interface HoldExpired extends Base {
  readonly type: 'HoldExpired';
  readonly holdId: string;
  readonly amount: bigint;
}

/** Post-paid usage: it already happened, so it is always recorded, into debt if need be. */
export interface UsageDeducted extends Base {
  readonly type: 'UsageDeducted';
  readonly chargeId: string;
  readonly amount: bigint;
  readonly allocations: readonly Allocation[];
  readonly debtIncurred: bigint;
  readonly priceVersion: string | null;
  readonly resource: Resource;
}

/**
 * Credits returned for a charge, walking its draws backwards:
 * amount = sum(allocations) + debtReduced + forfeited + regranted.
 */
export interface RefundIssued extends Base {
  readonly type: 'RefundIssued';
  readonly refundId: string;
  readonly chargeId: string;
  readonly amount: bigint;
  /** Returned to the very grants the charge drew from. */
  readonly allocations: readonly Allocation[];
  /** The charge's debt part, cancelled from what the account still owes. */
  readonly debtReduced: bigint;
  /** Owed to grants that have expired since: they would be gone by now, so they stay gone. */
  readonly forfeited: bigint;
  /** Debt part already paid by later credits: given back as a new adjustment grant (next event). */
  readonly regranted: bigint;
  readonly reason: string | null;
}

export interface PeriodReset extends Base {
  readonly type: 'PeriodReset';
  readonly period: string;
  readonly periodStart: number;
  readonly periodEnd: number;
}

export interface AllowanceSet extends Base {
  readonly type: 'AllowanceSet';
  readonly freeMonthly: bigint;
  readonly anchorDay: number;
}

export interface ThresholdSet extends Base {
  readonly type: 'ThresholdSet';
  readonly name: string;
  readonly level: bigint;
}

export interface ThresholdRemoved extends Base {
  readonly type: 'ThresholdRemoved';
  readonly name: string;
}

/** The available balance crossed below a threshold. Once per crossing. */
export interface BalanceLow extends Base {
  readonly type: 'BalanceLow';
  readonly threshold: string;
  readonly level: bigint;
  readonly available: bigint;
}

export interface ThresholdRearmed extends Base {
  readonly type: 'ThresholdRearmed';
  readonly threshold: string;
  readonly level: bigint;
  readonly available: bigint;
}

export const LEDGER_EVENT_TYPES: readonly LedgerEventType[] = [
  'GrantIssued',
  'GrantExpired',
  'DebtSettled',
  'HoldPlaced',
  'HoldCaptured',
  'HoldReleased',
  'HoldExpired',
  'UsageDeducted',
  'RefundIssued',
  'PeriodReset',
  'AllowanceSet',
  'ThresholdSet',
  'ThresholdRemoved',
  'BalanceLow',
  'ThresholdRearmed',
];

/**
 * What an event does to the account's ledger balance (sum of grant remainders minus debt).
 * Summing this over an account's log must equal its projected balance: the ledger's core invariant.
 */
export function balanceDelta(event: LedgerEvent): bigint {
  switch (event.type) {
    case 'GrantIssued':
      return event.amount;
    case 'GrantExpired':
      return -event.amount;
    case 'HoldCaptured':
    case 'UsageDeducted':
      return -event.amount;
    case 'RefundIssued':
      // The regranted part arrives through its own GrantIssued event; the forfeited part never arrives.
      return event.amount - event.forfeited - event.regranted;
    case 'DebtSettled': // moves credits from grants to the debt: the balance does not change
    case 'HoldPlaced':
    case 'HoldReleased':
    case 'HoldExpired':
    case 'PeriodReset':
    case 'AllowanceSet':
    case 'ThresholdSet':
    case 'ThresholdRemoved':
    case 'BalanceLow':
    case 'ThresholdRearmed':
      return 0n;
  }
}
