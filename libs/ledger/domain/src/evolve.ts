import { assert, assertNever } from '@credence/kernel';
import type { LedgerEvent } from './events.js';
import type { AccountState, Allocation, Grant, Hold, HoldStatus } from './model.js';

/**
 * Folds one event into the state. Pure: returns a new state and copies only the maps the event
 * touches, so deciding a command (which folds its own events as it goes) stays cheap.
 * An event that does not fit the state is a bug (the log and the projection disagree): it throws.
 */
export function evolve(state: AccountState, event: LedgerEvent): AccountState {
  const next = { ...state, version: state.version + 1 };
  switch (event.type) {
    case 'GrantIssued': {
      const grants = new Map(state.grants);
      grants.set(event.grantId, {
        id: event.grantId,
        source: event.source,
        amount: event.amount,
        remaining: event.amount,
        priority: event.priority,
        effectiveAt: event.effectiveAt,
        expiresAt: event.expiresAt,
        expired: false,
      });
      return { ...next, grants };
    }
    case 'GrantExpired': {
      const grant = mustGrant(state, event.grantId);
      assert(grant.remaining === event.amount, `GrantExpired ${event.grantId} amount differs from remainder`);
      const grants = new Map(state.grants);
      grants.set(grant.id, { ...grant, remaining: 0n, expired: true });
      return { ...next, grants };
    }
    case 'DebtSettled':
      assert(event.amount <= state.debt, 'DebtSettled exceeds debt');
      return { ...next, grants: adjustGrants(state, event.allocations, -1n), debt: state.debt - event.amount };
    case 'HoldPlaced': {
      const holds = new Map(state.holds);
      holds.set(event.holdId, {
        id: event.holdId,
        amount: event.amount,
        placedAt: event.at,
        expiresAt: event.expiresAt,
        status: 'open',
        resource: event.resource,
      });
      return { ...next, holds };
    }
    case 'HoldCaptured': {
      const charges = new Map(state.charges);
      charges.set(event.holdId, {
        id: event.holdId,
        amount: event.amount,
        allocations: event.allocations,
        debtIncurred: event.debtIncurred,
        refunded: 0n,
      });
      return {
        ...next,
        holds: resolveHold(state, event.holdId, 'captured'),
        grants: adjustGrants(state, event.allocations, -1n),
        debt: state.debt + event.debtIncurred,
        charges,
      };
    }
    case 'HoldReleased':
      return { ...next, holds: resolveHold(state, event.holdId, 'released') };
    case 'HoldExpired':
      return { ...next, holds: resolveHold(state, event.holdId, 'expired') };
    case 'UsageDeducted': {
      const charges = new Map(state.charges);
      charges.set(event.chargeId, {
        id: event.chargeId,
        amount: event.amount,
        allocations: event.allocations,
        debtIncurred: event.debtIncurred,
        refunded: 0n,
      });
      return {
        ...next,
        grants: adjustGrants(state, event.allocations, -1n),
        debt: state.debt + event.debtIncurred,
        charges,
      };
    }
    case 'RefundIssued': {
      const charge = state.charges.get(event.chargeId);
      assert(charge, `RefundIssued for unknown charge ${event.chargeId}`);
      assert(charge.refunded + event.amount <= charge.amount, 'RefundIssued exceeds its charge');
      assert(event.debtReduced <= state.debt, 'RefundIssued reduces more debt than owed');
      const charges = new Map(state.charges);
      charges.set(charge.id, { ...charge, refunded: charge.refunded + event.amount });
      return {
        ...next,
        grants: adjustGrants(state, event.allocations, 1n),
        debt: state.debt - event.debtReduced,
        charges,
      };
    }
    case 'PeriodReset':
      return { ...next, lastResetPeriod: event.period };
    case 'AllowanceSet':
      return { ...next, allowance: { freeMonthly: event.freeMonthly, anchorDay: event.anchorDay } };
    case 'ThresholdSet': {
      const thresholds = new Map(state.thresholds);
      thresholds.set(event.name, { name: event.name, level: event.level, armed: true });
      return { ...next, thresholds };
    }
    case 'ThresholdRemoved': {
      const thresholds = new Map(state.thresholds);
      thresholds.delete(event.name);
      return { ...next, thresholds };
    }
    case 'BalanceLow':
    case 'ThresholdRearmed': {
      const current = state.thresholds.get(event.threshold);
      assert(current, `${event.type} for unknown threshold ${event.threshold}`);
      const thresholds = new Map(state.thresholds);
      thresholds.set(current.name, { ...current, armed: event.type === 'ThresholdRearmed' });
      return { ...next, thresholds };
    }
    default:
      return assertNever(event, 'ledger event');
  }
}

export function fold(state: AccountState, events: Iterable<LedgerEvent>): AccountState {
  let s = state;
  for (const e of events) s = evolve(s, e);
  return s;
}

function mustGrant(state: AccountState, id: string): Grant {
  const grant = state.grants.get(id);
  assert(grant, `unknown grant ${id}`);
  return grant;
}

function adjustGrants(state: AccountState, allocations: readonly Allocation[], sign: 1n | -1n): ReadonlyMap<string, Grant> {
  if (allocations.length === 0) return state.grants;
  const grants = new Map(state.grants);
  for (const a of allocations) {
    const grant = grants.get(a.grantId);
    assert(grant, `allocation to unknown grant ${a.grantId}`);
    const remaining = grant.remaining + sign * a.amount;
    assert(remaining >= 0n && remaining <= grant.amount, `grant ${a.grantId} would hold ${remaining} of ${grant.amount}`);
    grants.set(a.grantId, { ...grant, remaining });
  }
  return grants;
}

function resolveHold(state: AccountState, id: string, status: HoldStatus): ReadonlyMap<string, Hold> {
  const hold = state.holds.get(id);
  assert(hold, `unknown hold ${id}`);
  assert(hold.status === 'open', `hold ${id} resolved twice`);
  const holds = new Map(state.holds);
  holds.set(id, { ...hold, status });
  return holds;
}
