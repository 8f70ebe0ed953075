import fc from 'fast-check';
import { backoffCeilingMs, giveUpAt, nextStep, retryDelayMs, type RetryPolicy } from './retry.js';

const policy: RetryPolicy = { baseMs: 10_000, capMs: 3_600_000, maxAgeMs: 86_400_000 };
const failed = { kind: 'failed', permanent: false } as const;

describe('back-off', () => {
  it('given successive failures, then the ceiling doubles from the base up to the cap and stays there', () => {
    expect([1, 2, 3, 4].map((a) => backoffCeilingMs(a, policy))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(backoffCeilingMs(9, policy)).toBe(2_560_000);
    expect(backoffCeilingMs(10, policy)).toBe(3_600_000);
    expect(backoffCeilingMs(10_000, policy)).toBe(3_600_000);
  });

  it('given any attempt and any random draw, then the delay is an integer within [0, ceiling] (full jitter)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, r) => {
        const d = retryDelayMs(attempt, policy, () => r);
        return Number.isInteger(d) && d >= 0 && d <= backoffCeilingMs(attempt, policy);
      }),
    );
    expect(retryDelayMs(1, policy, () => 0)).toBe(0);
    expect(retryDelayMs(1, policy, () => 0.999999999)).toBe(10_000);
    expect(retryDelayMs(2, policy, () => 0.5)).toBe(10_000);
  });
});

describe('the next step after an attempt', () => {
  const created = Date.UTC(2026, 10, 21);
  const deadline = giveUpAt(created, policy);

  it('given a delivered attempt, then it is delivered whatever the time', () => {
    expect(nextStep({ attempt: 7, nowMs: deadline + 1, giveUpAtMs: deadline, result: { kind: 'delivered' } }, policy, Math.random)).toEqual({ kind: 'delivered' });
  });

  it('given a failure well before the deadline, then a retry within the back-off ceiling', () => {
    const step = nextStep({ attempt: 3, nowMs: created + 60_000, giveUpAtMs: deadline, result: failed }, policy, () => 0.5);
    expect(step).toEqual({ kind: 'retry', atMs: created + 60_000 + 20_000 });
  });

  it('given a failure whose retry would start after 24 h, then it is dead-lettered (max_age)', () => {
    const now = deadline - 1_000;
    expect(nextStep({ attempt: 20, nowMs: now, giveUpAtMs: deadline, result: failed }, policy, () => 0.5)).toEqual({ kind: 'dead', reason: 'max_age' });
    // the same failure with a short enough draw still gets its last chance
    expect(nextStep({ attempt: 20, nowMs: now, giveUpAtMs: deadline, result: failed }, policy, () => 0)).toEqual({ kind: 'retry', atMs: now });
  });

  it('given a permanent failure, then it is dead-lettered at once', () => {
    expect(nextStep({ attempt: 1, nowMs: created, giveUpAtMs: deadline, result: { kind: 'failed', permanent: true } }, policy, () => 0)).toEqual({ kind: 'dead', reason: 'permanent' });
  });

  it('given a receiver that always fails, then no attempt ever starts after the deadline and the delivery ends dead', () => {
    // A short policy keeps the walk short: each attempt takes 5 s, the deadline is 10 minutes out.
    const short: RetryPolicy = { baseMs: 1_000, capMs: 60_000, maxAgeMs: 600_000 };
    const end = giveUpAt(created, short);
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 50 }), (draws) => {
        let now = created;
        for (let attempt = 1; ; attempt++) {
          if (now > end) return false;
          const step = nextStep({ attempt, nowMs: now, giveUpAtMs: end, result: failed }, short, () => draws[attempt % draws.length]!);
          if (step.kind === 'dead') return step.reason === 'max_age';
          if (step.kind !== 'retry' || step.atMs > end) return false;
          now = step.atMs + 5_000;
          if (now > end) return true;
        }
      }),
    );
  });
});
