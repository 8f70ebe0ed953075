import type { LedgerCommand } from './commands.js';
import { decide } from './decide.js';
import type { LedgerEvent, RefundIssued, UsageDeducted } from './events.js';
import { fold } from './evolve.js';
import { balanceAt } from './balance.js';
import { emptyAccount, type AccountState } from './model.js';
import { entriesMatchBalance } from './invariants.js';

const T0 = Date.UTC(2026, 10, 15, 12);
const DAY = 86_400_000;

/** Given/when/then over one account: keeps the log so every step can check the entries invariant. */
class Account {
  state: AccountState = emptyAccount('acc-1');
  log: LedgerEvent[] = [];
  now = T0;

  given(...commands: LedgerCommand[]): this {
    for (const c of commands) {
      const events = this.when(c);
      if (!events) throw new Error(`given ${c.type} was refused`);
    }
    return this;
  }

  /** Applies the command; returns its events, or undefined when refused (see `refusal`). */
  when(command: LedgerCommand): LedgerEvent[] | undefined {
    const decision = decide(this.state, command, this.now);
    if (!decision.ok) {
      this.refusal = decision.code;
      return undefined;
    }
    this.state = fold(this.state, decision.value);
    this.log.push(...decision.value);
    expect(entriesMatchBalance(this.log, this.state)).toBe(true);
    return [...decision.value];
  }

  refusal: string | undefined;

  remaining(grantId: string): bigint | undefined {
    return this.state.grants.get(grantId)?.remaining;
  }
  get balance() {
    return balanceAt(this.state, this.now);
  }
}

const grant = (grantId: string, source: 'free_monthly' | 'plan_allocation' | 'purchase' | 'promo' | 'adjustment', amount: bigint, extra: Partial<{ expiresAt: number | null; priority: number; effectiveAt: number }> = {}): LedgerCommand => ({
  type: 'IssueGrant',
  grantId,
  source,
  amount,
  ...extra,
});
const usage = (chargeId: string, amount: bigint): LedgerCommand => ({ type: 'RecordUsage', chargeId, amount, resource: { generationId: chargeId } });

describe('burn-down order', () => {
  it('draws free, then plan, then promo, then purchased; soonest expiry first within a priority', () => {
    const a = new Account().given(
      grant('purchase-1', 'purchase', 1000n),
      grant('promo-1', 'promo', 100n, { expiresAt: T0 + 30 * DAY }),
      grant('plan-late', 'plan_allocation', 100n, { expiresAt: T0 + 20 * DAY }),
      grant('plan-soon', 'plan_allocation', 100n, { expiresAt: T0 + 10 * DAY }),
      grant('free-1', 'free_monthly', 50n, { expiresAt: T0 + 15 * DAY }),
    );

    const events = a.when(usage('c1', 400n));

    const deducted = events?.find((e): e is UsageDeducted => e.type === 'UsageDeducted');
    expect(deducted?.allocations).toEqual([
      { grantId: 'free-1', amount: 50n },
      { grantId: 'plan-soon', amount: 100n },
      { grantId: 'plan-late', amount: 100n },
      { grantId: 'promo-1', amount: 100n },
      { grantId: 'purchase-1', amount: 50n },
    ]);
    expect(a.remaining('purchase-1')).toBe(950n);
    expect(a.balance.bySource).toEqual({ free: 0n, plan: 0n, purchased: 950n, promo: 0n, adjustment: 0n });
  });

  it('breaks ties by never-expiring last, then oldest, then id', () => {
    const a = new Account().given(
      grant('b-never', 'promo', 10n),
      grant('z-old', 'promo', 10n, { expiresAt: T0 + DAY, effectiveAt: T0 - 2 * DAY }),
      grant('y-new', 'promo', 10n, { expiresAt: T0 + DAY, effectiveAt: T0 - DAY }),
      grant('x-new', 'promo', 10n, { expiresAt: T0 + DAY, effectiveAt: T0 - DAY }),
    );
    const events = a.when(usage('c1', 40n));
    const deducted = events?.find((e): e is UsageDeducted => e.type === 'UsageDeducted');
    expect(deducted?.allocations.map((x) => x.grantId)).toEqual(['z-old', 'x-new', 'y-new', 'b-never']);
  });

  it('never draws from a grant that has not started or has expired', () => {
    const a = new Account().given(
      grant('future', 'free_monthly', 100n, { effectiveAt: T0 + DAY }),
      grant('old', 'promo', 100n, { effectiveAt: T0 - 3 * DAY, expiresAt: T0 + DAY }),
      grant('buy', 'purchase', 100n),
    );
    a.now = T0 + DAY; // 'old' expires exactly now, 'future' starts exactly now
    const events = a.when(usage('c1', 150n))!;
    expect(events.map((e) => e.type)).toEqual(['GrantExpired', 'UsageDeducted']);
    expect(a.remaining('future')).toBe(0n);
    expect(a.remaining('buy')).toBe(50n);
  });
});

describe('refunds', () => {
  it('return credits to the very grants they came from, in reverse order, never more than charged', () => {
    const a = new Account().given(grant('free', 'free_monthly', 30n, { expiresAt: T0 + DAY }), grant('buy', 'purchase', 100n), usage('c1', 80n));
    expect(a.remaining('free')).toBe(0n);
    expect(a.remaining('buy')).toBe(50n);

    const first = a.when({ type: 'IssueRefund', refundId: 'r1', chargeId: 'c1', amount: 60n })!;
    const refund = first[0] as RefundIssued;
    expect(refund.allocations).toEqual([
      { grantId: 'buy', amount: 50n },
      { grantId: 'free', amount: 10n },
    ]);
    expect(a.remaining('buy')).toBe(100n);
    expect(a.remaining('free')).toBe(10n);

    expect(a.when({ type: 'IssueRefund', refundId: 'r2', chargeId: 'c1', amount: 21n })).toBeUndefined();
    expect(a.refusal).toBe('REFUND_EXCEEDS_CHARGE');

    a.when({ type: 'IssueRefund', refundId: 'r3', chargeId: 'c1' });
    expect(a.remaining('free')).toBe(30n);
    expect(a.when({ type: 'IssueRefund', refundId: 'r4', chargeId: 'c1' })).toBeUndefined();
    expect(a.refusal).toBe('REFUND_EXCEEDS_CHARGE');
  });

  it('forfeits the part owed to a grant that has expired since', () => {
    const a = new Account().given(grant('free', 'free_monthly', 30n, { expiresAt: T0 + DAY }), grant('buy', 'purchase', 100n), usage('c1', 50n));
    a.now = T0 + 2 * DAY;
    const events = a.when({ type: 'IssueRefund', refundId: 'r1', chargeId: 'c1' })!;
    const refund = events.find((e): e is RefundIssued => e.type === 'RefundIssued')!;
    expect(refund.allocations).toEqual([{ grantId: 'buy', amount: 20n }]);
    expect(refund.forfeited).toBe(30n);
    expect(a.balance.total).toBe(100n);
  });

  it('refuses a refund for an unknown charge', () => {
    const a = new Account();
    expect(a.when({ type: 'IssueRefund', refundId: 'r1', chargeId: 'nope' })).toBeUndefined();
    expect(a.refusal).toBe('CHARGE_NOT_FOUND');
  });
});

describe('holds', () => {
  const hold = (holdId: string, amount: bigint, ttl = 60_000): LedgerCommand => ({ type: 'PlaceHold', holdId, amount, expiresAt: T0 + ttl, resource: {} });

  it('reserve credits; a partial capture charges the real cost and releases the rest', () => {
    const a = new Account().given(grant('buy', 'purchase', 100n), hold('h1', 70n));
    expect(a.balance).toMatchObject({ total: 100n, held: 70n, available: 30n });
    expect(a.when(hold('h2', 31n))).toBeUndefined();
    expect(a.refusal).toBe('INSUFFICIENT_CREDITS');

    const events = a.when({ type: 'CaptureHold', holdId: 'h1', amount: 45n })!;
    expect(events[0]).toMatchObject({ type: 'HoldCaptured', amount: 45n, released: 25n });
    expect(a.balance).toMatchObject({ total: 55n, held: 0n, available: 55n });
  });

  it('refuse a capture above the hold, and resolve a hold only once', () => {
    const a = new Account().given(grant('buy', 'purchase', 100n), hold('h1', 50n));
    expect(a.when({ type: 'CaptureHold', holdId: 'h1', amount: 51n })).toBeUndefined();
    expect(a.refusal).toBe('CAPTURE_EXCEEDS_HOLD');
    a.given({ type: 'ReleaseHold', holdId: 'h1' });
    expect(a.when({ type: 'CaptureHold', holdId: 'h1', amount: 10n })).toBeUndefined();
    expect(a.refusal).toBe('HOLD_ALREADY_RESOLVED');
    expect(a.when({ type: 'ReleaseHold', holdId: 'h1' })).toBeUndefined();
    expect(a.refusal).toBe('HOLD_ALREADY_RESOLVED');
    expect(a.when({ type: 'ReleaseHold', holdId: 'h9' })).toBeUndefined();
    expect(a.refusal).toBe('HOLD_NOT_FOUND');
    expect(a.balance.total).toBe(100n);
  });

  it('expire after their timeout, releasing the credits, exactly once', () => {
    const a = new Account().given(grant('buy', 'purchase', 100n), hold('h1', 50n, 1000));
    a.now = T0 + 1000;
    expect(a.balance.available).toBe(100n);
    const events = a.when({ type: 'Housekeep' })!;
    expect(events).toEqual([{ type: 'HoldExpired', at: T0 + 1000, holdId: 'h1', amount: 50n }]);
    expect(a.when({ type: 'Housekeep' })).toEqual([]);
    expect(a.when({ type: 'ReleaseHold', holdId: 'h1' })).toBeUndefined();
    expect(a.refusal).toBe('HOLD_ALREADY_RESOLVED');
  });

  it('charge a capture that arrives after the hold expired as post-paid usage, once', () => {
    const a = new Account().given(grant('buy', 'purchase', 100n), hold('h1', 50n, 1000));
    a.now = T0 + 5000;
    const events = a.when({ type: 'CaptureHold', holdId: 'h1', amount: 40n })!;
    expect(events.map((e) => e.type)).toEqual(['HoldExpired', 'UsageDeducted']);
    expect(events[1]).toMatchObject({ chargeId: 'h1', amount: 40n, allocations: [{ grantId: 'buy', amount: 40n }] });
    expect(a.balance).toMatchObject({ total: 60n, held: 0n });
    expect(a.when({ type: 'CaptureHold', holdId: 'h1', amount: 40n })).toBeUndefined();
    expect(a.refusal).toBe('HOLD_ALREADY_RESOLVED');
    expect(a.when({ type: 'CaptureHold', holdId: 'h1', amount: 51n })).toBeUndefined();
    expect(a.refusal).toBe('CAPTURE_EXCEEDS_HOLD');
    // and it can be refunded like any charge
    a.given({ type: 'IssueRefund', refundId: 'r1', chargeId: 'h1' });
    expect(a.balance.total).toBe(100n);
  });

  it('are backed only by credits that outlive them', () => {
    const a = new Account().given(grant('promo', 'promo', 100n, { expiresAt: T0 + 30_000 }), grant('buy', 'purchase', 20n));
    expect(a.when(hold('h1', 50n, 60_000))).toBeUndefined();
    expect(a.refusal).toBe('INSUFFICIENT_CREDITS');
    expect(a.when(hold('h2', 50n, 10_000))).toBeDefined();
    expect(a.when(hold('h3', 20n, 60_000))).toBeUndefined(); // 20 lasting credits, but h2 holds 50 of 120
  });
});

describe('post-paid usage and debt', () => {
  it('is always recorded; a later grant pays the debt first and authorizations resume only when positive', () => {
    const a = new Account().given(grant('free', 'free_monthly', 10n, { expiresAt: T0 + DAY }), usage('c1', 25n));
    expect(a.balance).toMatchObject({ total: -15n, debt: 15n, available: -15n });
    expect(a.when({ type: 'PlaceHold', holdId: 'h1', amount: 1n, expiresAt: T0 + 1000, resource: {} })).toBeUndefined();
    expect(a.refusal).toBe('INSUFFICIENT_CREDITS');

    const events = a.when(grant('buy', 'purchase', 20n))!;
    expect(events.map((e) => e.type)).toEqual(['GrantIssued', 'DebtSettled']);
    expect(events[1]).toMatchObject({ amount: 15n, allocations: [{ grantId: 'buy', amount: 15n }] });
    expect(a.balance).toMatchObject({ total: 5n, debt: 0n, available: 5n });
    expect(a.when({ type: 'PlaceHold', holdId: 'h1', amount: 5n, expiresAt: T0 + 1000, resource: {} })).toBeDefined();
  });

  it('a refund of a charge that went into debt cancels the debt part first', () => {
    const a = new Account().given(grant('free', 'free_monthly', 10n), usage('c1', 25n));
    const events = a.when({ type: 'IssueRefund', refundId: 'r1', chargeId: 'c1', amount: 20n })!;
    expect(events[0]).toMatchObject({ debtReduced: 15n, allocations: [{ grantId: 'free', amount: 5n }], regranted: 0n });
    expect(a.balance).toMatchObject({ total: 5n, debt: 0n });
  });

  it('a refund of a debt part that was since paid comes back as an adjustment grant', () => {
    const a = new Account().given(usage('c1', 25n), grant('buy', 'purchase', 100n));
    expect(a.balance.total).toBe(75n);
    const events = a.when({ type: 'IssueRefund', refundId: 'r1', chargeId: 'c1' })!;
    expect(events.map((e) => e.type)).toEqual(['RefundIssued', 'GrantIssued']);
    expect(events[1]).toMatchObject({ source: 'adjustment', amount: 25n });
    expect(a.balance.total).toBe(100n);
  });
});

describe('monthly reset', () => {
  it('expires unused free credits and issues the period grant, once per period', () => {
    const a = new Account().given({ type: 'SetAllowance', freeMonthly: 1000n, anchorDay: 1 });
    a.now = Date.UTC(2026, 10, 1, 0, 5);
    a.given({ type: 'ResetPeriod', period: '2026-11' }, usage('c1', 400n));
    expect(a.balance.bySource.free).toBe(600n);

    expect(a.when({ type: 'ResetPeriod', period: '2026-11' })).toBeUndefined();
    expect(a.refusal).toBe('PERIOD_ALREADY_RESET');
    expect(a.when({ type: 'ResetPeriod', period: '2027-01' })).toBeUndefined();
    expect(a.refusal).toBe('INVALID_PERIOD');

    a.now = Date.UTC(2026, 11, 1, 0, 0, 1);
    const events = a.when({ type: 'ResetPeriod', period: '2026-12' })!;
    expect(events.map((e) => e.type)).toEqual(['GrantExpired', 'PeriodReset', 'GrantIssued']);
    expect(events[0]).toMatchObject({ grantId: 'free#2026-11', amount: 600n });
    expect(a.balance.bySource.free).toBe(1000n);
  });

  it('refuses without an allowance', () => {
    expect(new Account().when({ type: 'ResetPeriod', period: '2026-11' })).toBeUndefined();
  });
});

describe('low-balance thresholds', () => {
  it('fire once per crossing and re-arm once the balance is back above', () => {
    const a = new Account().given(grant('buy', 'purchase', 100n), { type: 'SetThreshold', name: 'recharge', level: 50n }, { type: 'SetThreshold', name: 'alert', level: 20n });
    const lows = () => a.log.filter((e) => e.type === 'BalanceLow').map((e) => (e as { threshold: string }).threshold);

    a.given(usage('c1', 55n));
    expect(lows()).toEqual(['recharge']);
    a.given(usage('c2', 5n), usage('c3', 25n));
    expect(lows()).toEqual(['recharge', 'alert']);
    a.given({ type: 'SetThreshold', name: 'recharge', level: 50n }); // the same level again: no second alert
    expect(lows()).toEqual(['recharge', 'alert']);
    a.given(grant('buy-2', 'purchase', 100n));
    expect(a.log.filter((e) => e.type === 'ThresholdRearmed')).toHaveLength(2);
    a.given(usage('c4', 70n)); // 115 - 70 = 45: below 50, above 20
    expect(lows()).toEqual(['recharge', 'alert', 'recharge']);
  });
});
