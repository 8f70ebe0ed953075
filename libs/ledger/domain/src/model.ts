/**
 * The ledger's model of one account. Times are epoch milliseconds (UTC); amounts are bigint credits.
 */
export const GRANT_SOURCES = ['free_monthly', 'plan_allocation', 'purchase', 'promo', 'adjustment'] as const;
export type GrantSource = (typeof GRANT_SOURCES)[number];

/**
 * Default priorities make free and plan credits burn before purchased ones (PRODUCT §1).
 * A caller may give any priority; lower burns first.
 */
export const DEFAULT_PRIORITY: Readonly<Record<GrantSource, number>> = {
  free_monthly: 10,
  plan_allocation: 20,
  promo: 30,
  adjustment: 40,
  purchase: 100,
};

/** What a charge or hold belongs to. Every field is optional and free text chosen by the workload. */
export interface Resource {
  readonly projectId?: string;
  readonly sessionId?: string;
  readonly generationId?: string;
  readonly model?: string;
  readonly feature?: string;
}

/** A slice of a deduction taken from one grant. */
export interface Allocation {
  readonly grantId: string;
  readonly amount: bigint;
}

export interface Grant {
  readonly id: string;
  readonly source: GrantSource;
  readonly amount: bigint;
  readonly remaining: bigint;
  readonly priority: number;
  readonly effectiveAt: number;
  readonly expiresAt: number | null;
  /** Set by a GrantExpired event; from then on the grant holds nothing and takes nothing back. */
  readonly expired: boolean;
}

export type HoldStatus = 'open' | 'captured' | 'released' | 'expired';

export interface Hold {
  readonly id: string;
  readonly amount: bigint;
  readonly placedAt: number;
  readonly expiresAt: number;
  readonly status: HoldStatus;
  readonly resource: Resource;
}

/** A deduction that can be refunded: a captured hold (id = hold id) or post-paid usage. */
export interface Charge {
  readonly id: string;
  readonly amount: bigint;
  /** In the order the credits were drawn; refunds walk it backwards. */
  readonly allocations: readonly Allocation[];
  /** The part of the charge the grants could not cover: it became debt, drawn after every allocation. */
  readonly debtIncurred: bigint;
  readonly refunded: bigint;
}

export interface Threshold {
  readonly name: string;
  readonly level: bigint;
  /** An armed threshold fires once when the available balance drops below it, then waits to be re-armed. */
  readonly armed: boolean;
}

export interface Allowance {
  readonly freeMonthly: bigint;
  /** Day of the month (1-28, UTC) on which periods start. */
  readonly anchorDay: number;
}

/**
 * The state of one account as far as it is loaded. The data-access layer loads every live grant
 * (remaining > 0, not expired), every open hold, and whatever charges, holds and grants the
 * commands at hand refer to; the domain never assumes more than that.
 */
export interface AccountState {
  readonly accountId: string;
  /** Number of events folded into this account since its first. */
  readonly version: number;
  readonly grants: ReadonlyMap<string, Grant>;
  readonly holds: ReadonlyMap<string, Hold>;
  readonly charges: ReadonlyMap<string, Charge>;
  readonly debt: bigint;
  readonly thresholds: ReadonlyMap<string, Threshold>;
  readonly allowance: Allowance | null;
  readonly lastResetPeriod: string | null;
}

/**
 * Ids the ledger makes itself (the period's free grant, a regrant) are joined with `#`, a
 * character callers' ids may not contain: a caller can never take or overwrite them.
 */
export const SYSTEM_ID_SEPARATOR = '#';
export const systemId = (...parts: string[]): string => parts.join(SYSTEM_ID_SEPARATOR);

export function emptyAccount(accountId: string): AccountState {
  return {
    accountId,
    version: 0,
    grants: new Map(),
    holds: new Map(),
    charges: new Map(),
    debt: 0n,
    thresholds: new Map(),
    allowance: null,
    lastResetPeriod: null,
  };
}
