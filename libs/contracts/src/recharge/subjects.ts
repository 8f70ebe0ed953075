/**
 * Recharge publishes every attempt of every purchase on stream RECHARGE, one message per recorded
 * attempt, `Nats-Msg-Id` = the event's `id` (deterministic: a re-publish after a crash is deduplicated).
 */
export const RECHARGE_EVENT_SUBJECTS = {
  PurchaseRequested: 'recharge.v1.purchase.requested',
  PurchaseSucceeded: 'recharge.v1.purchase.succeeded',
  PurchaseDeclined: 'recharge.v1.purchase.declined',
  /** Auto-recharge not attempted: this month's recharges plus this one would exceed the limit. */
  PurchaseSkipped: 'recharge.v1.purchase.skipped',
  /** Given up: declined too often, authentication required off-session, or the gateway never answered. */
  PurchaseAbandoned: 'recharge.v1.purchase.abandoned',
  AutoRechargeDisabled: 'recharge.v1.auto_recharge.disabled',
} as const;
export type RechargeEventType = keyof typeof RECHARGE_EVENT_SUBJECTS;

export const RECHARGE_EVENTS_STREAM = 'RECHARGE';
/** Recharge's durable consumer of the ledger's `ledger.v1.balance.low` events. */
export const RECHARGE_BALANCE_LOW_CONSUMER = 'recharge-balance-low';
/** The name of the ledger threshold recharge configures for an account's auto-recharge. */
export const AUTO_RECHARGE_THRESHOLD = 'auto-recharge';

/** The body of every RECHARGE message. Money in minor units and credits as decimal strings. */
export interface RechargeEvent {
  /** `<purchaseId>#<type>#<attempt>`, or `<accountId>#<type>#<cause>` for events without a purchase. */
  readonly id: string;
  readonly type: RechargeEventType;
  readonly accountId: string;
  readonly at: string;
  readonly purchaseId: string | null;
  readonly trigger: 'manual' | 'auto';
  readonly packId: string | null;
  readonly credits: string | null;
  readonly amountMinor: string | null;
  readonly currency: string | null;
  /** 1 for the first payment attempt, 2 for the first retry, ... */
  readonly attempt: number;
  /** For auto-recharge: the ledger event (`BalanceLow`) id that caused it. */
  readonly cause: string | null;
  /** Why a purchase was declined, skipped or abandoned, or auto-recharge disabled. */
  readonly reason: string | null;
}
