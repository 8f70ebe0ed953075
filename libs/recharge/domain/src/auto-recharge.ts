/**
 * Auto-recharge rules: when a crossing recharges, the monthly spending limit, and when repeated
 * failures switch auto-recharge off.
 */

/** The calendar month (UTC) a time falls in, `YYYY-MM`: the period of the spending limit. */
export function utcMonth(at: number): string {
  const d = new Date(at);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export interface AutoRechargeSettings {
  readonly enabled: boolean;
  /** When auto-recharge was last switched on (epoch ms); null when it never was. */
  readonly enabledSince: number | null;
}

/**
 * The ledger stamps a crossing with its own clock and recharge stamps `enabledSince` with its own:
 * a crossing is taken as "after" up to this much before, so that clock skew between the two never
 * loses the first crossing of a balance already below the threshold when auto-recharge is switched on.
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 60_000;

/**
 * A low-balance crossing recharges only while auto-recharge is on, and only if it happened after
 * it was switched on: a replayed stream, or a crossing from an earlier period, never buys anything.
 */
export const crossingRecharges = (s: AutoRechargeSettings | undefined, crossingAt: number): boolean =>
  s !== undefined && s.enabled && s.enabledSince !== null && crossingAt >= s.enabledSince - CLOCK_SKEW_ALLOWANCE_MS;

/**
 * This month's auto-recharges that succeeded or are in flight, plus this one, must stay within the
 * limit; equal is allowed. Amounts in minor units of one currency.
 */
export const exceedsMonthlyLimit = (spentMinor: bigint, priceMinor: bigint, limitMinor: bigint): boolean => spentMinor + priceMinor > limitMinor;

export interface FailurePolicy {
  /** Consecutive abandoned auto-recharges after which auto-recharge is switched off (≥ 1). */
  readonly disableAfter: number;
}

/**
 * After an auto-recharge ends: a grant resets the count of consecutive failures; an abandoned one
 * adds to it, and reaching `disableAfter` switches auto-recharge off (a card that keeps failing is
 * not charged again and again, crossing after crossing). A skip is neither: nothing was tried.
 */
export function afterAutoRecharge(consecutiveFailures: number, outcome: 'granted' | 'abandoned', policy: FailurePolicy): { consecutiveFailures: number; disable: boolean } {
  if (outcome === 'granted') return { consecutiveFailures: 0, disable: false };
  const failures = consecutiveFailures + 1;
  return { consecutiveFailures: failures, disable: failures >= policy.disableAfter };
}
