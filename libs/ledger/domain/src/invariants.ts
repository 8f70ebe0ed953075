import { balanceDelta, type LedgerEvent } from './events.js';
import { ledgerBalance } from './balance.js';
import type { AccountState } from './model.js';

/**
 * The state-level invariants of ARCHITECTURE.md that can be checked on one account.
 * Returns every violation found (empty when sound); callers decide whether to throw.
 */
export function invariantViolations(state: AccountState): string[] {
  const out: string[] = [];
  if (state.debt < 0n) out.push(`debt ${state.debt} is negative`);
  for (const g of state.grants.values()) {
    if (g.remaining < 0n || g.remaining > g.amount) out.push(`grant ${g.id} holds ${g.remaining} of ${g.amount}`);
    if (g.expired && g.remaining !== 0n) out.push(`expired grant ${g.id} still holds ${g.remaining}`);
  }
  for (const h of state.holds.values()) if (h.amount <= 0n) out.push(`hold ${h.id} of ${h.amount}`);
  for (const c of state.charges.values()) {
    let drawn = c.debtIncurred;
    for (const a of c.allocations) drawn += a.amount;
    if (drawn !== c.amount) out.push(`charge ${c.id} draws ${drawn} for ${c.amount}`);
    if (c.refunded < 0n || c.refunded > c.amount) out.push(`charge ${c.id} refunded ${c.refunded} of ${c.amount}`);
  }
  return out;
}

/** Per account, the sum of its entries equals its projected balance. */
export function sumOfEntries(events: Iterable<LedgerEvent>): bigint {
  let sum = 0n;
  for (const e of events) sum += balanceDelta(e);
  return sum;
}

export function entriesMatchBalance(events: Iterable<LedgerEvent>, state: AccountState): boolean {
  return sumOfEntries(events) === ledgerBalance(state);
}
