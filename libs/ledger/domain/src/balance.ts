import { MAX_AMOUNT } from '@credence/kernel';
import { isSpendable } from './burn-down.js';
import type { AccountState, GrantSource } from './model.js';

export interface BalanceView {
  /** Spendable credits minus debt. Negative only when the account owes credits. */
  readonly total: bigint;
  /** Reserved by running generations. */
  readonly held: bigint;
  /** total - held: what a new authorization can reserve. */
  readonly available: bigint;
  readonly debt: bigint;
  /** Granted credits that have not started yet (effectiveAt in the future). */
  readonly pending: bigint;
  readonly bySource: Readonly<Record<'free' | 'plan' | 'purchased' | 'promo' | 'adjustment', bigint>>;
}

const BUCKET: Readonly<Record<GrantSource, keyof BalanceView['bySource']>> = {
  free_monthly: 'free',
  plan_allocation: 'plan',
  purchase: 'purchased',
  promo: 'promo',
  adjustment: 'adjustment',
};

/** The balance as of `now`: a grant past its expiry counts for nothing even before its GrantExpired. */
export function balanceAt(state: AccountState, now: number): BalanceView {
  const bySource = { free: 0n, plan: 0n, purchased: 0n, promo: 0n, adjustment: 0n };
  let spendable = 0n;
  let pending = 0n;
  for (const g of state.grants.values()) {
    if (isSpendable(g, now)) {
      spendable += g.remaining;
      bySource[BUCKET[g.source]] += g.remaining;
    } else if (!g.expired && g.effectiveAt > now && (g.expiresAt === null || g.expiresAt > now)) {
      pending += g.remaining;
    }
  }
  let held = 0n;
  for (const h of state.holds.values()) if (h.status === 'open' && h.expiresAt > now) held += h.amount;
  const total = spendable - state.debt;
  return { total, held, available: total - held, debt: state.debt, pending, bySource };
}

/**
 * What a hold expiring at `until` can reserve: like `available`, but counting only credits that
 * will still be there then (grants that do not expire before the hold does).
 */
export function availableThrough(state: AccountState, now: number, until: number): bigint {
  let lasting = 0n;
  for (const g of state.grants.values()) if (isSpendable(g, now) && (g.expiresAt === null || g.expiresAt >= until)) lasting += g.remaining;
  let held = 0n;
  for (const h of state.holds.values()) if (h.status === 'open' && h.expiresAt > now) held += h.amount;
  return lasting - state.debt - held;
}

/** Every sum the projections store (balance, debt, held, per source) fits a Postgres bigint. */
export function withinAmountRange(state: AccountState): boolean {
  const sums = new Map<string, bigint>();
  let balance = -state.debt;
  for (const g of state.grants.values()) {
    if (g.expired) continue;
    sums.set(g.source, (sums.get(g.source) ?? 0n) + g.remaining);
    balance += g.remaining;
  }
  let held = 0n;
  for (const h of state.holds.values()) if (h.status === 'open') held += h.amount;
  const fits = (x: bigint) => x <= MAX_AMOUNT && x >= -MAX_AMOUNT;
  return fits(balance) && fits(state.debt) && fits(held) && [...sums.values()].every(fits);
}

/**
 * The quantity the log sums to: every unexpired grant's remainder (started or not) minus debt.
 * Unlike balanceAt it does not depend on the clock, only on the events folded so far.
 */
export function ledgerBalance(state: AccountState): bigint {
  let sum = 0n;
  for (const g of state.grants.values()) if (!g.expired) sum += g.remaining;
  return sum - state.debt;
}
