import { assertNever, err, ok, type Result } from '@credence/kernel';
import { availableThrough, balanceAt, ledgerBalance, withinAmountRange } from './balance.js';
import { drawDown } from './burn-down.js';
import type {
  CaptureHold,
  IssueGrant,
  IssueRefund,
  LedgerCommand,
  PlaceHold,
  RecordUsage,
  Refusal,
  ResetPeriod,
} from './commands.js';
import type { LedgerEvent } from './events.js';
import { AccountDraft, applyEvent } from './evolve.js';
import { DEFAULT_PRIORITY, systemId, type AccountState, type Allocation, type Resource } from './model.js';
import { MAX_ANCHOR_DAY, MIN_ANCHOR_DAY, parsePeriod } from './periods.js';

export type Decision = Result<readonly LedgerEvent[], Refusal>;

/** An accepted decision: its events and the ledger balance after each. */
export interface Outcome {
  readonly events: readonly LedgerEvent[];
  readonly balancesAfter: readonly bigint[];
}

/**
 * Decides what a command does to an account at time `now`. Pure and deterministic.
 *
 * Accepted commands yield, in order: what time has done since the last event (expired grants
 * and holds), the command's own events, debt paid by credits that became spendable, and the
 * threshold crossings that result. A refused command yields nothing at all, not even the
 * housekeeping: a refusal leaves no trace in the log.
 */
export function decide(state: AccountState, command: LedgerCommand, now: number): Decision {
  const result = decideOn(new AccountDraft(state), command, now);
  return result.ok ? ok(result.value.events) : result;
}

/**
 * `decide` on a draft the caller keeps across commands (a batch): an accepted command's events
 * are applied to it, a refused command leaves it as it was.
 */
export function decideOn(draft: AccountDraft, command: LedgerCommand, now: number): Result<Outcome, Refusal> {
  draft.begin();
  const run = new Run(draft, now);
  run.housekeep();
  const refusal = run.apply(command);
  if (refusal) {
    draft.rollback();
    return err(refusal);
  }
  run.settleDebt();
  run.checkThresholds();
  if (!withinAmountRange(draft)) {
    draft.rollback();
    return err('AMOUNT_OUT_OF_RANGE');
  }
  draft.commit();
  return ok({ events: run.events, balancesAfter: run.balances });
}

class Run {
  readonly events: LedgerEvent[] = [];
  readonly balances: bigint[] = [];
  constructor(
    readonly state: AccountDraft,
    private readonly now: number,
  ) {}

  private emit(event: LedgerEvent): void {
    this.events.push(event);
    applyEvent(this.state, event);
    this.balances.push(ledgerBalance(this.state));
  }

  housekeep(): void {
    const { now } = this;
    const expiredGrants = [...this.state.grants.values()]
      .filter((g) => !g.expired && g.remaining > 0n && g.expiresAt !== null && g.expiresAt <= now)
      .sort((a, b) => (a.expiresAt ?? 0) - (b.expiresAt ?? 0) || (a.id < b.id ? -1 : 1));
    for (const g of expiredGrants) this.emit({ type: 'GrantExpired', at: now, grantId: g.id, amount: g.remaining });
    const expiredHolds = [...this.state.holds.values()]
      .filter((h) => h.status === 'open' && h.expiresAt <= now)
      .sort((a, b) => a.expiresAt - b.expiresAt || (a.id < b.id ? -1 : 1));
    for (const h of expiredHolds) this.emit({ type: 'HoldExpired', at: now, holdId: h.id, amount: h.amount });
  }

  /** New credits pay what the account owes before anything else. */
  settleDebt(): void {
    if (this.state.debt === 0n) return;
    const { allocations, shortfall } = drawDown(this.state.grants.values(), this.state.debt, this.now);
    const amount = this.state.debt - shortfall;
    if (amount > 0n) this.emit({ type: 'DebtSettled', at: this.now, amount, allocations });
  }

  checkThresholds(): void {
    const names = [...this.state.thresholds.keys()].sort();
    for (const name of names) {
      const t = this.state.thresholds.get(name);
      if (!t) continue;
      const { available } = balanceAt(this.state, this.now);
      if (t.armed && available < t.level) {
        this.emit({ type: 'BalanceLow', at: this.now, threshold: name, level: t.level, available });
      } else if (!t.armed && available >= t.level) {
        this.emit({ type: 'ThresholdRearmed', at: this.now, threshold: name, level: t.level, available });
      }
    }
  }

  apply(command: LedgerCommand): Refusal | undefined {
    switch (command.type) {
      case 'IssueGrant':
        return this.issueGrant(command);
      case 'PlaceHold':
        return this.placeHold(command);
      case 'CaptureHold':
        return this.captureHold(command);
      case 'ReleaseHold': {
        const hold = this.state.holds.get(command.holdId);
        if (!hold) return 'HOLD_NOT_FOUND';
        if (hold.status !== 'open') return 'HOLD_ALREADY_RESOLVED';
        this.emit({ type: 'HoldReleased', at: this.now, holdId: hold.id, amount: hold.amount });
        return undefined;
      }
      case 'RecordUsage':
        return this.recordUsage(command);
      case 'IssueRefund':
        return this.issueRefund(command);
      case 'SetThreshold':
        if (command.level < 0n) return 'INVALID_AMOUNT';
        // Setting the same level again must not re-arm it: that would alert twice for one crossing.
        if (this.state.thresholds.get(command.name)?.level === command.level) return undefined;
        this.emit({ type: 'ThresholdSet', at: this.now, name: command.name, level: command.level });
        return undefined;
      case 'RemoveThreshold':
        if (!this.state.thresholds.has(command.name)) return 'THRESHOLD_NOT_FOUND';
        this.emit({ type: 'ThresholdRemoved', at: this.now, name: command.name });
        return undefined;
      case 'SetAllowance':
        if (command.freeMonthly < 0n) return 'INVALID_AMOUNT';
        if (!Number.isInteger(command.anchorDay) || command.anchorDay < MIN_ANCHOR_DAY || command.anchorDay > MAX_ANCHOR_DAY) {
          return 'INVALID_PERIOD';
        }
        this.emit({ type: 'AllowanceSet', at: this.now, freeMonthly: command.freeMonthly, anchorDay: command.anchorDay });
        return undefined;
      case 'ResetPeriod':
        return this.resetPeriod(command);
      case 'Housekeep':
        return undefined;
      default:
        return assertNever(command, 'ledger command');
    }
  }

  private issueGrant(c: IssueGrant): Refusal | undefined {
    if (c.amount <= 0n) return 'INVALID_AMOUNT';
    if (this.state.grants.has(c.grantId)) return 'DUPLICATE_ID';
    const effectiveAt = c.effectiveAt ?? this.now;
    const expiresAt = c.expiresAt ?? null;
    if (!Number.isFinite(effectiveAt) || (expiresAt !== null && !Number.isFinite(expiresAt))) return 'INVALID_TIME';
    if (expiresAt !== null && expiresAt <= effectiveAt) return 'INVALID_TIME';
    this.emit({
      type: 'GrantIssued',
      at: this.now,
      grantId: c.grantId,
      source: c.source,
      amount: c.amount,
      priority: c.priority ?? DEFAULT_PRIORITY[c.source],
      effectiveAt,
      expiresAt,
      reason: c.reason ?? null,
    });
    return undefined;
  }

  private placeHold(c: PlaceHold): Refusal | undefined {
    if (c.amount <= 0n) return 'INVALID_AMOUNT';
    if (!Number.isFinite(c.expiresAt) || c.expiresAt <= this.now) return 'INVALID_TIME';
    if (this.state.holds.has(c.holdId)) return 'DUPLICATE_ID';
    // Only credits that outlive the hold can back it: a capture must not find them gone.
    if (availableThrough(this.state, this.now, c.expiresAt) < c.amount) return 'INSUFFICIENT_CREDITS';
    this.emit({ type: 'HoldPlaced', at: this.now, holdId: c.holdId, amount: c.amount, expiresAt: c.expiresAt, resource: c.resource });
    return undefined;
  }

  private captureHold(c: CaptureHold): Refusal | undefined {
    const hold = this.state.holds.get(c.holdId);
    if (!hold) return 'HOLD_NOT_FOUND';
    if (c.amount < 0n) return 'INVALID_AMOUNT';
    if (c.amount > hold.amount) return 'CAPTURE_EXCEEDS_HOLD';
    if (hold.status === 'expired') {
      // The work ran and was reported; only the hold timed out first (a slow queue, an outage).
      // Usage that happened is always recorded: as post-paid usage, into debt if need be.
      if (c.amount === 0n) return undefined;
      if (this.state.charges.has(hold.id)) return 'HOLD_ALREADY_RESOLVED';
      this.deductUsage(hold.id, c.amount, hold.resource, c.priceVersion ?? null);
      return undefined;
    }
    if (hold.status !== 'open') return 'HOLD_ALREADY_RESOLVED';
    // The hold reserved credits but did not pin grants: the capture burns down like any deduction.
    // Grants that expired or were spent by post-paid usage meanwhile leave a shortfall, recorded as debt.
    const { allocations, shortfall } = drawDown(this.state.grants.values(), c.amount, this.now);
    this.emit({
      type: 'HoldCaptured',
      at: this.now,
      holdId: hold.id,
      amount: c.amount,
      released: hold.amount - c.amount,
      allocations,
      debtIncurred: shortfall,
      priceVersion: c.priceVersion ?? null,
      resource: hold.resource,
    });
    return undefined;
  }

  private recordUsage(c: RecordUsage): Refusal | undefined {
    if (c.amount <= 0n) return 'INVALID_AMOUNT';
    if (this.state.charges.has(c.chargeId)) return 'DUPLICATE_ID';
    this.deductUsage(c.chargeId, c.amount, c.resource, c.priceVersion ?? null);
    return undefined;
  }

  /** Usage that happened: drawn down in burn-down order, what the grants cannot cover becomes debt. */
  private deductUsage(chargeId: string, amount: bigint, resource: Resource, priceVersion: string | null): void {
    const { allocations, shortfall } = drawDown(this.state.grants.values(), amount, this.now);
    this.emit({ type: 'UsageDeducted', at: this.now, chargeId, amount, allocations, debtIncurred: shortfall, priceVersion, resource });
  }

  private issueRefund(c: IssueRefund): Refusal | undefined {
    const charge = this.state.charges.get(c.chargeId);
    if (!charge) return 'CHARGE_NOT_FOUND';
    const refundable = charge.amount - charge.refunded;
    const amount = c.amount ?? refundable;
    if (amount <= 0n && c.amount != null) return 'INVALID_AMOUNT';
    if (amount <= 0n || amount > refundable) return 'REFUND_EXCEEDS_CHARGE';

    // Walk the charge's draws backwards (debt was drawn last), skipping what earlier refunds returned.
    const draws: Array<{ grantId: string | null; amount: bigint }> = [
      ...charge.allocations,
      { grantId: null, amount: charge.debtIncurred },
    ];
    let skip = charge.refunded;
    let left = amount;
    let debtReduced = 0n;
    let forfeited = 0n;
    let regranted = 0n;
    const allocations: Allocation[] = [];
    for (let i = draws.length - 1; i >= 0 && left > 0n; i--) {
      const draw = draws[i];
      if (!draw || draw.amount === 0n) continue;
      const alreadyBack = skip < draw.amount ? skip : draw.amount;
      skip -= alreadyBack;
      const open = draw.amount - alreadyBack;
      const take = open < left ? open : left;
      if (take === 0n) continue;
      left -= take;
      if (draw.grantId === null) {
        const owed = this.state.debt - debtReduced;
        const reduce = owed < take ? owed : take;
        debtReduced += reduce;
        regranted += take - reduce;
        continue;
      }
      const grant = this.state.grants.get(draw.grantId);
      if (!grant) return 'CHARGE_NOT_FOUND'; // the data layer failed to load a grant it must load
      const gone = grant.expired || (grant.expiresAt !== null && grant.expiresAt <= this.now);
      if (gone) forfeited += take;
      else allocations.push({ grantId: grant.id, amount: take });
    }
    this.emit({
      type: 'RefundIssued',
      at: this.now,
      refundId: c.refundId,
      chargeId: charge.id,
      amount,
      allocations,
      debtReduced,
      forfeited,
      regranted,
      reason: c.reason ?? null,
    });
    if (regranted > 0n) {
      this.emit({
        type: 'GrantIssued',
        at: this.now,
        grantId: systemId(c.refundId, 'regrant'),
        source: 'adjustment',
        amount: regranted,
        priority: DEFAULT_PRIORITY.adjustment,
        effectiveAt: this.now,
        expiresAt: null,
        reason: `refund ${c.refundId} of charge ${charge.id}`,
      });
    }
    return undefined;
  }

  private resetPeriod(c: ResetPeriod): Refusal | undefined {
    const allowance = this.state.allowance;
    if (!allowance) return 'NO_ALLOWANCE';
    const period = parsePeriod(c.period, allowance.anchorDay);
    if (!period || period.start > this.now) return 'INVALID_PERIOD';
    const last = this.state.lastResetPeriod;
    if (last !== null && last >= period.key) return 'PERIOD_ALREADY_RESET';
    // Use it or lose it: whatever free credits are left now expire, whatever their own expiry says.
    const leftovers = [...this.state.grants.values()]
      .filter((g) => g.source === 'free_monthly' && !g.expired && g.remaining > 0n)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const g of leftovers) this.emit({ type: 'GrantExpired', at: this.now, grantId: g.id, amount: g.remaining });
    this.emit({ type: 'PeriodReset', at: this.now, period: period.key, periodStart: period.start, periodEnd: period.end });
    if (allowance.freeMonthly > 0n) {
      this.emit({
        type: 'GrantIssued',
        at: this.now,
        grantId: systemId('free', period.key),
        source: 'free_monthly',
        amount: allowance.freeMonthly,
        priority: DEFAULT_PRIORITY.free_monthly,
        effectiveAt: period.start,
        expiresAt: period.end,
        reason: `free credits for ${period.key}`,
      });
    }
    return undefined;
  }
}
