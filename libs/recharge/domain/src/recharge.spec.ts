import fc from 'fast-check';
import {
  afterAutoRecharge,
  CLOCK_SKEW_ALLOWANCE_MS,
  checkBackoff,
  crossingRecharges,
  exceedsMonthlyLimit,
  maxAttempts,
  onGranted,
  onPaymentAnswer,
  refusedBeforePayment,
  skippedForLimit,
  startAttempt,
  utcMonth,
  type PaymentAnswer,
  type PaymentPolicy,
  type PurchaseState,
  type Transition,
  type Trigger,
} from './index.js';

const T0 = Date.UTC(2026, 10, 21, 8);
const policy: PaymentPolicy = { retryDelaysMs: [60_000, 600_000, 3_600_000], confirmPollMs: 30_000, confirmTimeoutMs: 3_600_000 };
const fresh = (trigger: Trigger): PurchaseState => ({ status: 'pending', trigger, attempts: 0, attemptStartedAt: null, reason: null });
const apply = (p: PurchaseState, t: Transition): PurchaseState => ({ ...p, status: t.status, attempts: t.attempts, attemptStartedAt: t.attemptStartedAt, reason: t.reason });
const declined: PaymentAnswer = { kind: 'declined', code: 'card_declined' };

describe('a purchase, step by step', () => {
  it('given a card that pays, then requested → processing → paid → granted, published once as succeeded', () => {
    let p = fresh('manual');
    const start = startAttempt(p, T0, policy);
    expect(start).toMatchObject({ status: 'processing', attempts: 1, nextAttemptAt: T0 + 30_000, facts: [{ type: 'PurchaseRequested', attempt: 1 }] });
    p = apply(p, start);
    // The provider answers "processing" at once: look again after the poll interval.
    expect(onPaymentAnswer(p, { kind: 'processing' }, T0, policy)).toMatchObject({ status: 'processing', nextAttemptAt: T0 + 30_000, facts: [] });
    const paid = onPaymentAnswer(p, { kind: 'succeeded' }, T0 + 1_000, policy);
    expect(paid).toMatchObject({ status: 'paid', nextAttemptAt: T0 + 1_000, records: [{ outcome: 'succeeded' }], facts: [] });
    p = apply(p, paid!);
    expect(onGranted(p)).toMatchObject({ status: 'granted', nextAttemptAt: null, facts: [{ type: 'PurchaseSucceeded', attempt: 1 }] });
  });

  it('given a manual purchase declined, then it is abandoned at once: its buyer is there to try again', () => {
    const p = apply(fresh('manual'), startAttempt(fresh('manual'), T0, policy));
    expect(onPaymentAnswer(p, declined, T0, policy)).toMatchObject({
      status: 'abandoned',
      reason: 'declined',
      facts: [{ type: 'PurchaseDeclined', attempt: 1, reason: 'card_declined' }, { type: 'PurchaseAbandoned', attempt: 1, reason: 'declined' }],
    });
  });

  it('given an auto-recharge declined every time, then it is retried after 1 min, 10 min, 1 h and abandoned after the fourth decline', () => {
    let p = fresh('auto');
    let now = T0;
    const waits: number[] = [];
    for (;;) {
      p = apply(p, startAttempt(p, now, policy));
      const t = onPaymentAnswer(p, declined, now, policy)!;
      p = apply(p, t);
      if (t.status === 'abandoned') {
        expect(t.facts.map((f) => f.type)).toEqual(['PurchaseDeclined', 'PurchaseAbandoned']);
        break;
      }
      expect(t.status).toBe('pending');
      waits.push(t.nextAttemptAt! - now);
      now = t.nextAttemptAt!;
    }
    expect(waits).toEqual(policy.retryDelaysMs);
    expect(p.attempts).toBe(maxAttempts('auto', policy));
  });

  it('given a card that requires authentication, then it is abandoned: an off-session charge cannot authenticate', () => {
    const p = apply(fresh('auto'), startAttempt(fresh('auto'), T0, policy));
    expect(onPaymentAnswer(p, { kind: 'authentication_required' }, T0, policy)).toMatchObject({
      status: 'abandoned',
      reason: 'authentication_required',
      facts: [{ type: 'PurchaseAbandoned', reason: 'authentication_required' }],
    });
  });

  it('given no answer, then it asks again later; an attempt the provider never got is submitted again under the same key', () => {
    const p = apply(fresh('manual'), startAttempt(fresh('manual'), T0, policy));
    expect(onPaymentAnswer(p, { kind: 'no_answer', detail: 'timeout' }, T0 + 5_000, policy)).toMatchObject({ status: 'processing', attempts: 1, nextAttemptAt: T0 + 35_000, resubmit: false });
    expect(onPaymentAnswer(p, { kind: 'not_found' }, T0 + 30_000, policy)).toMatchObject({ status: 'processing', attempts: 1, resubmit: true });
  });

  it('given no confirmation within the timeout, then it is abandoned; a success confirmed later still wins (the money was taken)', () => {
    let p = apply(fresh('auto'), startAttempt(fresh('auto'), T0, policy));
    const late = T0 + policy.confirmTimeoutMs;
    const abandoned = onPaymentAnswer(p, { kind: 'processing' }, late, policy)!;
    expect(abandoned).toMatchObject({ status: 'abandoned', reason: 'gateway_no_answer', facts: [{ type: 'PurchaseAbandoned', attempt: 1 }] });
    p = apply(p, abandoned);
    expect(onPaymentAnswer(p, { kind: 'succeeded' }, late + 1, policy)).toMatchObject({ status: 'paid', reason: null, records: [{ detail: 'confirmed after the purchase was abandoned' }] });
    expect(onPaymentAnswer(p, declined, late + 1, policy)).toBeUndefined();
  });

  it('ignores answers that come after the purchase moved on: a repeated callback changes nothing', () => {
    const processing = apply(fresh('manual'), startAttempt(fresh('manual'), T0, policy));
    const paid = apply(processing, onPaymentAnswer(processing, { kind: 'succeeded' }, T0, policy)!);
    expect(onPaymentAnswer(paid, { kind: 'succeeded' }, T0, policy)).toBeUndefined();
    expect(onPaymentAnswer(paid, declined, T0, policy)).toBeUndefined();
    const granted = apply(paid, onGranted(paid)!);
    expect(onGranted(granted)).toBeUndefined();
    expect(onPaymentAnswer(granted, { kind: 'succeeded' }, T0, policy)).toBeUndefined();
    const declinedManual = apply(processing, onPaymentAnswer(processing, declined, T0, policy)!);
    expect(onPaymentAnswer(declinedManual, { kind: 'succeeded' }, T0, policy)).toBeUndefined();
    expect(() => startAttempt(paid, T0, policy)).toThrow(/only from pending/);
  });

  it('records refusals before payment and skips as final, with nothing to charge', () => {
    expect(refusedBeforePayment('plan_cannot_purchase')).toMatchObject({ status: 'abandoned', facts: [{ type: 'PurchaseAbandoned', attempt: 0, reason: 'plan_cannot_purchase' }] });
    expect(skippedForLimit('2900 + 2900 > 5000')).toMatchObject({ status: 'skipped', reason: 'monthly_limit', facts: [{ type: 'PurchaseSkipped', reason: 'monthly_limit' }] });
  });
});

describe('a purchase, under any sequence of answers', () => {
  const answer = fc.constantFrom<PaymentAnswer>(
    { kind: 'processing' },
    { kind: 'succeeded' },
    declined,
    { kind: 'authentication_required' },
    { kind: 'not_found' },
    { kind: 'no_answer', detail: 'timeout' },
  );

  it('is charged at most maxAttempts times, succeeds at most once, and a final status stays final', () => {
    fc.assert(
      fc.property(fc.constantFrom<Trigger>('manual', 'auto'), fc.array(fc.tuple(answer, fc.integer({ min: 0, max: 2_000_000 })), { maxLength: 40 }), (trigger, steps) => {
        let p = fresh(trigger);
        let now = T0;
        let requested = 0;
        let succeeded = 0;
        for (const [a, dt] of steps) {
          now += dt;
          if (p.status === 'pending') {
            const s = startAttempt(p, now, policy);
            requested += s.facts.filter((f) => f.type === 'PurchaseRequested').length;
            p = apply(p, s);
          }
          const before = p.status;
          const t = onPaymentAnswer(p, a, now, policy);
          if (t === undefined) continue;
          if (before === 'granted' || (before === 'abandoned' && t.status !== 'paid')) return false;
          p = apply(p, t);
          if (p.status === 'paid') {
            const g = onGranted(p)!;
            succeeded += g.facts.length;
            p = apply(p, g);
          }
        }
        return requested <= maxAttempts(trigger, policy) && p.attempts <= maxAttempts(trigger, policy) && succeeded <= 1;
      }),
    );
  });
});

describe('auto-recharge rules', () => {
  it('takes the month of a time in UTC', () => {
    expect(utcMonth(Date.UTC(2026, 10, 30, 23, 59))).toBe('2026-11');
    expect(utcMonth(Date.UTC(2026, 11, 1))).toBe('2026-12');
  });

  it('allows spending up to the limit, not beyond', () => {
    expect(exceedsMonthlyLimit(2100n, 2900n, 5000n)).toBe(false);
    expect(exceedsMonthlyLimit(2900n, 2900n, 5000n)).toBe(true);
    expect(exceedsMonthlyLimit(0n, 5001n, 5000n)).toBe(true);
  });

  it('recharges only for crossings after auto-recharge was switched on (give or take the clock skew between services)', () => {
    expect(crossingRecharges(undefined, T0)).toBe(false);
    expect(crossingRecharges({ enabled: false, enabledSince: T0 }, T0)).toBe(false);
    expect(crossingRecharges({ enabled: true, enabledSince: T0 }, T0 - CLOCK_SKEW_ALLOWANCE_MS - 1)).toBe(false);
    expect(crossingRecharges({ enabled: true, enabledSince: T0 }, T0 - CLOCK_SKEW_ALLOWANCE_MS)).toBe(true);
    expect(crossingRecharges({ enabled: true, enabledSince: T0 }, T0 + 1)).toBe(true);
  });

  it('switches auto-recharge off after repeated abandoned recharges; a granted one starts the count again', () => {
    const policy2 = { disableAfter: 2 };
    expect(afterAutoRecharge(0, 'abandoned', policy2)).toEqual({ consecutiveFailures: 1, disable: false });
    expect(afterAutoRecharge(1, 'abandoned', policy2)).toEqual({ consecutiveFailures: 2, disable: true });
    expect(afterAutoRecharge(1, 'granted', policy2)).toEqual({ consecutiveFailures: 0, disable: false });
  });

  it('accepts only a bounded, non-shrinking back-off', () => {
    expect(checkBackoff([60_000, 600_000, 3_600_000])).toBeUndefined();
    expect(checkBackoff([])).toBeUndefined();
    expect(checkBackoff([600_000, 60_000])).toMatch(/at least the one before/);
    expect(checkBackoff([0])).toMatch(/positive/);
  });
});
