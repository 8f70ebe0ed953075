/** How failed deliveries are retried. Every duration in milliseconds. */
export interface RetryPolicy {
  /** The first retry waits up to this long; each failure doubles the bound. */
  readonly baseMs: number;
  /** The bound never exceeds this. */
  readonly capMs: number;
  /** A delivery is given up (dead-lettered) when its next attempt would start later than this after it was created. */
  readonly maxAgeMs: number;
}

/** The upper bound of the wait after the `attempt`-th failure (1-based): base · 2^(attempt-1), capped. */
export function backoffCeilingMs(attempt: number, p: Pick<RetryPolicy, 'baseMs' | 'capMs'>): number {
  // Past 2^40 the cap has long been reached; the bound keeps the power finite.
  const exponent = Math.min(Math.max(attempt - 1, 0), 40);
  return Math.min(p.capMs, p.baseMs * 2 ** exponent);
}

/**
 * "Full jitter": a uniform wait between 0 and the ceiling. Receivers that fail together (one
 * outage, thousands of deliveries) are then retried spread out instead of in synchronized waves.
 * `random` returns [0, 1), like Math.random; passing it in keeps this pure and testable.
 */
export function retryDelayMs(attempt: number, p: Pick<RetryPolicy, 'baseMs' | 'capMs'>, random: () => number): number {
  const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  return Math.floor(r * (backoffCeilingMs(attempt, p) + 1));
}

export type AttemptResult =
  | { readonly kind: 'delivered' }
  /** `permanent`: retrying cannot help (an SMTP 5xx rejection): dead-lettered at once. */
  | { readonly kind: 'failed'; readonly permanent: boolean };

export type NextStep =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly atMs: number }
  | { readonly kind: 'dead'; readonly reason: 'max_age' | 'permanent' };

/**
 * What follows the `attempt`-th attempt, finished at `nowMs`, of a delivery that must be given up
 * by `giveUpAtMs` (its creation + maxAgeMs): delivered, a retry after a jittered back-off, or the
 * dead-letter when that retry would start after the give-up time.
 */
export function nextStep(
  input: { readonly attempt: number; readonly nowMs: number; readonly giveUpAtMs: number; readonly result: AttemptResult },
  p: RetryPolicy,
  random: () => number,
): NextStep {
  if (input.result.kind === 'delivered') return { kind: 'delivered' };
  if (input.result.permanent) return { kind: 'dead', reason: 'permanent' };
  const atMs = input.nowMs + retryDelayMs(input.attempt, p, random);
  return atMs > input.giveUpAtMs ? { kind: 'dead', reason: 'max_age' } : { kind: 'retry', atMs };
}

/** The give-up time of a delivery created at `createdAtMs`. */
export const giveUpAt = (createdAtMs: number, p: Pick<RetryPolicy, 'maxAgeMs'>): number => createdAtMs + p.maxAgeMs;
