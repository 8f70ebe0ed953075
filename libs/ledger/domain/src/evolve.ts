import { assert, assertNever } from '@credence/kernel';
import type { LedgerEvent } from './events.js';
import type { AccountState, Allowance, Allocation, Charge, Grant, Hold, HoldStatus, Threshold } from './model.js';

type Entry = Grant | Hold | Charge | Threshold;
type Undo = () => void;

/**
 * A working copy of an account that events are applied to. Its maps are copied from the base
 * state the first time they are written after a snapshot, and only then: folding n events costs
 * O(n), not O(n × size of the account), however many charges or holds the account has.
 * Grants, holds and charges themselves are never mutated, only replaced, so a state taken with
 * `snapshot()` stays as it was, and a changed entry is recognisable by identity.
 *
 * `begin()` starts recording how to undo what follows; `rollback()` undoes it, `commit()` keeps
 * it. That lets one draft serve a whole batch of commands, a refused one leaving no trace.
 */
export class AccountDraft implements AccountState {
  readonly accountId: string;
  private v: number;
  private d: bigint;
  private a: Allowance | null;
  private r: string | null;
  private g: Map<string, Grant>;
  private h: Map<string, Hold>;
  private c: Map<string, Charge>;
  private t: Map<string, Threshold>;
  private owned = { g: false, h: false, c: false, t: false };
  private undo: Undo[] | undefined;

  constructor(base: AccountState) {
    this.accountId = base.accountId;
    this.v = base.version;
    this.d = base.debt;
    this.a = base.allowance;
    this.r = base.lastResetPeriod;
    this.g = base.grants as Map<string, Grant>;
    this.h = base.holds as Map<string, Hold>;
    this.c = base.charges as Map<string, Charge>;
    this.t = base.thresholds as Map<string, Threshold>;
  }

  get version(): number {
    return this.v;
  }
  get debt(): bigint {
    return this.d;
  }
  get allowance(): Allowance | null {
    return this.a;
  }
  get lastResetPeriod(): string | null {
    return this.r;
  }
  get grants(): ReadonlyMap<string, Grant> {
    return this.g;
  }
  get holds(): ReadonlyMap<string, Hold> {
    return this.h;
  }
  get charges(): ReadonlyMap<string, Charge> {
    return this.c;
  }
  get thresholds(): ReadonlyMap<string, Threshold> {
    return this.t;
  }

  begin(): void {
    this.undo = [];
  }
  commit(): void {
    this.undo = undefined;
  }
  rollback(): void {
    const steps = this.undo ?? [];
    this.undo = undefined;
    for (let i = steps.length - 1; i >= 0; i--) steps[i]?.();
  }

  setScalars(next: { version?: number; debt?: bigint; allowance?: Allowance | null; lastResetPeriod?: string | null }): void {
    if (this.undo) {
      const [v, d, a, r] = [this.v, this.d, this.a, this.r];
      this.undo.push(() => ([this.v, this.d, this.a, this.r] = [v, d, a, r]));
    }
    if (next.version !== undefined) this.v = next.version;
    if (next.debt !== undefined) this.d = next.debt;
    if (next.allowance !== undefined) this.a = next.allowance;
    if (next.lastResetPeriod !== undefined) this.r = next.lastResetPeriod;
  }

  setGrant(g: Grant): void {
    if (!this.owned.g) [this.g, this.owned.g] = [new Map(this.g), true];
    this.write(this.g, g.id, g);
  }
  setHold(h: Hold): void {
    if (!this.owned.h) [this.h, this.owned.h] = [new Map(this.h), true];
    this.write(this.h, h.id, h);
  }
  setCharge(c: Charge): void {
    if (!this.owned.c) [this.c, this.owned.c] = [new Map(this.c), true];
    this.write(this.c, c.id, c);
  }
  setThreshold(name: string, t: Threshold | undefined): void {
    if (!this.owned.t) [this.t, this.owned.t] = [new Map(this.t), true];
    this.write(this.t, name, t);
  }

  /** An immutable state as of now; later writes to the draft copy again and leave it alone. */
  snapshot(): AccountState {
    this.owned = { g: false, h: false, c: false, t: false };
    return {
      accountId: this.accountId,
      version: this.v,
      grants: this.g,
      holds: this.h,
      charges: this.c,
      debt: this.d,
      thresholds: this.t,
      allowance: this.a,
      lastResetPeriod: this.r,
    };
  }

  private write<E extends Entry>(map: Map<string, E>, key: string, value: E | undefined): void {
    if (this.undo) {
      const had = map.has(key);
      const previous = map.get(key);
      // Undo on whatever map is current then: a snapshot in between is not supported mid-command.
      this.undo.push(() => (had && previous !== undefined ? map.set(key, previous) : map.delete(key)));
    }
    if (value === undefined) map.delete(key);
    else map.set(key, value);
  }
}

/**
 * Applies one event to a draft. An event that does not fit the state is a bug (the log and the
 * projection disagree): it throws.
 */
export function applyEvent(d: AccountDraft, event: LedgerEvent): void {
  d.setScalars({ version: d.version + 1 });
  switch (event.type) {
    case 'GrantIssued':
      d.setGrant({
        id: event.grantId,
        source: event.source,
        amount: event.amount,
        remaining: event.amount,
        priority: event.priority,
        effectiveAt: event.effectiveAt,
        expiresAt: event.expiresAt,
        expired: false,
      });
      return;
    case 'GrantExpired': {
      const grant = d.grants.get(event.grantId);
      assert(grant, `unknown grant ${event.grantId}`);
      assert(grant.remaining === event.amount, `GrantExpired ${event.grantId} amount differs from remainder`);
      d.setGrant({ ...grant, remaining: 0n, expired: true });
      return;
    }
    case 'DebtSettled':
      assert(event.amount <= d.debt, 'DebtSettled exceeds debt');
      adjustGrants(d, event.allocations, -1n);
      d.setScalars({ debt: d.debt - event.amount });
      return;
    case 'HoldPlaced':
      d.setHold({
        id: event.holdId,
        amount: event.amount,
        placedAt: event.at,
        expiresAt: event.expiresAt,
        status: 'open',
        resource: event.resource,
      });
      return;
    case 'HoldCaptured':
      resolveHold(d, event.holdId, 'captured');
      adjustGrants(d, event.allocations, -1n);
      d.setScalars({ debt: d.debt + event.debtIncurred });
      d.setCharge({
        id: event.holdId,
        amount: event.amount,
        allocations: event.allocations,
        debtIncurred: event.debtIncurred,
        refunded: 0n,
      });
      return;
    case 'HoldReleased':
      resolveHold(d, event.holdId, 'released');
      return;
    case 'HoldExpired':
      resolveHold(d, event.holdId, 'expired');
      return;
    case 'UsageDeducted':
      adjustGrants(d, event.allocations, -1n);
      d.setScalars({ debt: d.debt + event.debtIncurred });
      d.setCharge({
        id: event.chargeId,
        amount: event.amount,
        allocations: event.allocations,
        debtIncurred: event.debtIncurred,
        refunded: 0n,
      });
      return;
    case 'RefundIssued': {
      const charge = d.charges.get(event.chargeId);
      assert(charge, `RefundIssued for unknown charge ${event.chargeId}`);
      assert(charge.refunded + event.amount <= charge.amount, 'RefundIssued exceeds its charge');
      assert(event.debtReduced <= d.debt, 'RefundIssued reduces more debt than owed');
      d.setCharge({ ...charge, refunded: charge.refunded + event.amount });
      adjustGrants(d, event.allocations, 1n);
      d.setScalars({ debt: d.debt - event.debtReduced });
      return;
    }
    case 'PeriodReset':
      d.setScalars({ lastResetPeriod: event.period });
      return;
    case 'AllowanceSet':
      d.setScalars({ allowance: { freeMonthly: event.freeMonthly, anchorDay: event.anchorDay } });
      return;
    case 'ThresholdSet':
      d.setThreshold(event.name, { name: event.name, level: event.level, armed: true });
      return;
    case 'ThresholdRemoved':
      d.setThreshold(event.name, undefined);
      return;
    case 'BalanceLow':
    case 'ThresholdRearmed': {
      const current = d.thresholds.get(event.threshold);
      assert(current, `${event.type} for unknown threshold ${event.threshold}`);
      d.setThreshold(current.name, { ...current, armed: event.type === 'ThresholdRearmed' });
      return;
    }
    default:
      assertNever(event, 'ledger event');
  }
}

/** Folds one event into a state. Pure: the given state is left as it was. */
export function evolve(state: AccountState, event: LedgerEvent): AccountState {
  const d = new AccountDraft(state);
  applyEvent(d, event);
  return d.snapshot();
}

/** Folds events into a state, copying each map at most once. Pure. */
export function fold(state: AccountState, events: Iterable<LedgerEvent>): AccountState {
  const d = new AccountDraft(state);
  for (const e of events) applyEvent(d, e);
  return d.snapshot();
}

function adjustGrants(d: AccountDraft, allocations: readonly Allocation[], sign: 1n | -1n): void {
  if (allocations.length === 0) return;
  for (const a of allocations) {
    const grant = d.grants.get(a.grantId);
    assert(grant, `allocation to unknown grant ${a.grantId}`);
    const remaining = grant.remaining + sign * a.amount;
    assert(remaining >= 0n && remaining <= grant.amount, `grant ${a.grantId} would hold ${remaining} of ${grant.amount}`);
    d.setGrant({ ...grant, remaining });
  }
}

function resolveHold(d: AccountDraft, id: string, status: HoldStatus): void {
  const hold = d.holds.get(id);
  assert(hold, `unknown hold ${id}`);
  assert(hold.status === 'open', `hold ${id} resolved twice`);
  d.setHold({ ...hold, status });
}
