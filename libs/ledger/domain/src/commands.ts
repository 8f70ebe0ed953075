import type { GrantSource, Resource } from './model.js';

/** What callers ask of an account. Imperative; ids are chosen by the caller (the data layer uses the idempotency key). */
export type LedgerCommand =
  | IssueGrant
  | PlaceHold
  | CaptureHold
  | ReleaseHold
  | RecordUsage
  | IssueRefund
  | SetThreshold
  | RemoveThreshold
  | SetAllowance
  | ResetPeriod
  | Housekeep;

export type LedgerCommandType = LedgerCommand['type'];

export interface IssueGrant {
  readonly type: 'IssueGrant';
  readonly grantId: string;
  readonly source: GrantSource;
  readonly amount: bigint;
  /** Defaults to the source's DEFAULT_PRIORITY. */
  readonly priority?: number;
  /** Defaults to now. */
  readonly effectiveAt?: number;
  readonly expiresAt?: number | null;
  readonly reason?: string | null;
}

export interface PlaceHold {
  readonly type: 'PlaceHold';
  readonly holdId: string;
  readonly amount: bigint;
  readonly expiresAt: number;
  readonly resource: Resource;
}

/** Charges `amount` (0 up to the hold) and releases the rest, in one step. */
export interface CaptureHold {
  readonly type: 'CaptureHold';
  readonly holdId: string;
  readonly amount: bigint;
  readonly priceVersion?: string | null;
}

export interface ReleaseHold {
  readonly type: 'ReleaseHold';
  readonly holdId: string;
}

export interface RecordUsage {
  readonly type: 'RecordUsage';
  readonly chargeId: string;
  readonly amount: bigint;
  readonly resource: Resource;
  readonly priceVersion?: string | null;
}

export interface IssueRefund {
  readonly type: 'IssueRefund';
  readonly refundId: string;
  readonly chargeId: string;
  /** Defaults to everything not yet refunded. */
  readonly amount?: bigint | null;
  readonly reason?: string | null;
}

export interface SetThreshold {
  readonly type: 'SetThreshold';
  readonly name: string;
  readonly level: bigint;
}

export interface RemoveThreshold {
  readonly type: 'RemoveThreshold';
  readonly name: string;
}

export interface SetAllowance {
  readonly type: 'SetAllowance';
  readonly freeMonthly: bigint;
  readonly anchorDay: number;
}

/** Starts period `period` (`YYYY-MM`): unused free credits expire, the period's free grant is issued. */
export interface ResetPeriod {
  readonly type: 'ResetPeriod';
  readonly period: string;
}

/** Records what time alone has done: expired grants and holds, debt paid by credits that started, thresholds. */
export interface Housekeep {
  readonly type: 'Housekeep';
}

export type Refusal =
  | 'INVALID_AMOUNT'
  /** The command would take a balance, a debt or a sum beyond what a Postgres bigint holds. */
  | 'AMOUNT_OUT_OF_RANGE'
  | 'INVALID_TIME'
  | 'INVALID_PERIOD'
  | 'DUPLICATE_ID'
  | 'INSUFFICIENT_CREDITS'
  | 'HOLD_NOT_FOUND'
  | 'HOLD_ALREADY_RESOLVED'
  | 'CAPTURE_EXCEEDS_HOLD'
  | 'CHARGE_NOT_FOUND'
  | 'REFUND_EXCEEDS_CHARGE'
  | 'THRESHOLD_NOT_FOUND'
  | 'NO_ALLOWANCE'
  | 'PERIOD_ALREADY_RESET';
