import type { Allocation, Grant } from './model.js';

/** A grant can be drawn from when it has started, has not expired and still holds credits. */
export function isSpendable(grant: Grant, now: number): boolean {
  return (
    !grant.expired &&
    grant.remaining > 0n &&
    grant.effectiveAt <= now &&
    (grant.expiresAt === null || grant.expiresAt > now)
  );
}

/**
 * PRODUCT §1 burn-down order: lower priority number first, then the grant that expires soonest
 * (never-expiring last), then the oldest, then by id. Total, so the order never depends on
 * how grants were loaded.
 */
export function burnDownOrder(a: Grant, b: Grant): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  if (a.expiresAt !== b.expiresAt) {
    if (a.expiresAt === null) return 1;
    if (b.expiresAt === null) return -1;
    return a.expiresAt - b.expiresAt;
  }
  if (a.effectiveAt !== b.effectiveAt) return a.effectiveAt - b.effectiveAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function spendableGrants(grants: Iterable<Grant>, now: number): Grant[] {
  const out: Grant[] = [];
  for (const g of grants) if (isSpendable(g, now)) out.push(g);
  return out.sort(burnDownOrder);
}

export interface Draw {
  readonly allocations: readonly Allocation[];
  /** What the grants could not cover. */
  readonly shortfall: bigint;
}

/** Takes `amount` from the spendable grants in burn-down order. */
export function drawDown(grants: Iterable<Grant>, amount: bigint, now: number): Draw {
  const allocations: Allocation[] = [];
  let left = amount;
  for (const g of spendableGrants(grants, now)) {
    if (left === 0n) break;
    const take = g.remaining < left ? g.remaining : left;
    allocations.push({ grantId: g.id, amount: take });
    left -= take;
  }
  return { allocations, shortfall: left };
}
