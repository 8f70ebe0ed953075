import { assert, assertNever } from '@credence/kernel';

/** A purchase someone asked for (`manual`) or one a low-balance crossing caused (`auto`). */
export type Trigger = 'manual' | 'auto';

/**
 * - `pending`: a payment attempt is due at `nextAttemptAt` (the first, or a retry after a decline);
 * - `processing`: attempt `attempts` was submitted; its outcome comes by callback or by a poll;
 * - `paid`: the payment succeeded; the credits are still to be granted;
 * - `granted`: the credits are in the ledger (final);
 * - `abandoned`: given up, nothing charged (final, but see `onPaymentAnswer`: a late success wins);
 * - `skipped`: an auto-recharge over the month's limit, never charged (final).
 */
export type PurchaseStatus = 'pending' | 'processing' | 'paid' | 'granted' | 'abandoned' | 'skipped';

export const PURCHASE_STATUSES: readonly PurchaseStatus[] = ['pending', 'processing', 'paid', 'granted', 'abandoned', 'skipped'];
/** Work remains: the scheduler looks at these when `nextAttemptAt` comes. */
export const ACTIVE_STATUSES: readonly PurchaseStatus[] = ['pending', 'processing', 'paid'];
/** Money spent or being spent: what counts against the monthly auto-recharge limit. */
export const SPENDING_STATUSES: readonly PurchaseStatus[] = ['pending', 'processing', 'paid', 'granted'];

export interface PurchaseState {
  readonly status: PurchaseStatus;
  readonly trigger: Trigger;
  /** Payment attempts started so far; attempt n is charged under the idempotency key `<purchaseId>:<n>`. */
  readonly attempts: number;
  /** When the current attempt was first submitted (epoch ms), null before the first. */
  readonly attemptStartedAt: number | null;
  /** Why it was abandoned or skipped; null otherwise. */
  readonly reason: string | null;
}

/** What the payment provider says about the current attempt. */
export type PaymentAnswer =
  | { readonly kind: 'processing' }
  | { readonly kind: 'succeeded' }
  | { readonly kind: 'declined'; readonly code: string }
  /** The card wants its holder to authenticate (3-D Secure): impossible off-session. */
  | { readonly kind: 'authentication_required' }
  /** The provider never received the attempt: it can be submitted again under the same key. */
  | { readonly kind: 'not_found' }
  /** No answer in time (timeout, unreachable): nothing is known, the attempt may have been charged. */
  | { readonly kind: 'no_answer'; readonly detail: string };

/** Why a purchase was abandoned (or an auto-recharge skipped) besides the catalog's refusals. */
export type EndReason = 'declined' | 'authentication_required' | 'gateway_no_answer' | 'monthly_limit';

/** A fact to publish (the app turns it into a RechargeEvent with a deterministic id). */
export type PurchaseFact =
  | { readonly type: 'PurchaseRequested'; readonly attempt: number }
  | { readonly type: 'PurchaseSucceeded'; readonly attempt: number }
  | { readonly type: 'PurchaseDeclined'; readonly attempt: number; readonly reason: string }
  | { readonly type: 'PurchaseAbandoned'; readonly attempt: number; readonly reason: string }
  | { readonly type: 'PurchaseSkipped'; readonly attempt: 0; readonly reason: string };

/** One line of the append-only attempts log. */
export type AttemptOutcome = 'requested' | 'succeeded' | 'declined' | 'authentication_required' | 'no_answer' | 'resubmitted' | 'abandoned' | 'granted' | 'skipped';

export interface AttemptRecord {
  readonly attempt: number;
  readonly outcome: AttemptOutcome;
  readonly detail: string | null;
}

/** The next state of a purchase and what to record and publish for the step that led there. */
export interface Transition {
  readonly status: PurchaseStatus;
  readonly attempts: number;
  readonly attemptStartedAt: number | null;
  /** When the scheduler should look at it again; null for a final status. */
  readonly nextAttemptAt: number | null;
  readonly reason: string | null;
  readonly records: readonly AttemptRecord[];
  readonly facts: readonly PurchaseFact[];
  /** Submit the current attempt again, under the same idempotency key (the provider never got it). */
  readonly resubmit: boolean;
}

export interface PaymentPolicy {
  /** Waits before the retries of a declined auto-recharge: [before attempt 2, before attempt 3, ...]. */
  readonly retryDelaysMs: readonly number[];
  /** How long after a submission (and between polls) the provider is asked about an unconfirmed attempt. */
  readonly confirmPollMs: number;
  /** An attempt still unconfirmed this long after its submission is abandoned (`gateway_no_answer`). */
  readonly confirmTimeoutMs: number;
}

/**
 * A manual purchase is charged once: its buyer is there to try again, with another card if need
 * be. An auto-recharge runs unattended, so a decline is retried after each of `retryDelaysMs`.
 */
export const maxAttempts = (trigger: Trigger, policy: PaymentPolicy): number => (trigger === 'auto' ? 1 + policy.retryDelaysMs.length : 1);

/** A back-off schedule must be bounded and must not shrink: each wait at least as long as the one before. */
export function checkBackoff(delaysMs: readonly number[]): string | undefined {
  if (delaysMs.some((d) => !Number.isSafeInteger(d) || d <= 0)) return 'every delay must be a positive integer of milliseconds';
  if (delaysMs.some((d, i) => i > 0 && d < (delaysMs[i - 1] ?? 0))) return 'each delay must be at least the one before it';
  return undefined;
}

const step = (p: PurchaseState, t: Partial<Transition> & Pick<Transition, 'status' | 'nextAttemptAt'>): Transition => ({
  attempts: p.attempts,
  attemptStartedAt: p.attemptStartedAt,
  reason: t.status === 'paid' || t.status === 'granted' ? null : p.reason,
  records: [],
  facts: [],
  resubmit: false,
  ...t,
});

/** pending → processing: attempt n+1 is recorded (and published) before it is submitted, so a crash right after still knows its key. */
export function startAttempt(p: PurchaseState, now: number, policy: PaymentPolicy): Transition {
  assert(p.status === 'pending', `an attempt starts only from pending, not ${p.status}`);
  const attempt = p.attempts + 1;
  return step(p, {
    status: 'processing',
    attempts: attempt,
    attemptStartedAt: now,
    nextAttemptAt: now + policy.confirmPollMs,
    records: [{ attempt, outcome: 'requested', detail: null }],
    facts: [{ type: 'PurchaseRequested', attempt }],
  });
}

function abandon(p: PurchaseState, reason: string, records: AttemptRecord[], facts: PurchaseFact[]): Transition {
  return step(p, {
    status: 'abandoned',
    nextAttemptAt: null,
    reason,
    records: [...records, { attempt: p.attempts, outcome: 'abandoned', detail: reason }],
    facts: [...facts, { type: 'PurchaseAbandoned', attempt: p.attempts, reason }],
  });
}

/**
 * The provider's answer about the current attempt, from its synchronous reply, a callback or a
 * poll; undefined when it changes nothing (the purchase moved on: a late or repeated answer).
 * A success always wins, even after the purchase was abandoned for want of an answer: the money
 * was taken, so the credits are owed.
 */
export function onPaymentAnswer(p: PurchaseState, answer: PaymentAnswer, now: number, policy: PaymentPolicy): Transition | undefined {
  const lateSuccess = p.status === 'abandoned' && p.reason === 'gateway_no_answer';
  if (answer.kind === 'succeeded' && (p.status === 'processing' || lateSuccess)) {
    return step(p, {
      status: 'paid',
      nextAttemptAt: now,
      records: [{ attempt: p.attempts, outcome: 'succeeded', detail: lateSuccess ? 'confirmed after the purchase was abandoned' : null }],
    });
  }
  if (p.status !== 'processing') return undefined;
  const attempt = p.attempts;
  const timedOut = p.attemptStartedAt !== null && now - p.attemptStartedAt >= policy.confirmTimeoutMs;
  switch (answer.kind) {
    case 'succeeded':
      return undefined; // handled above
    case 'declined': {
      const records: AttemptRecord[] = [{ attempt, outcome: 'declined', detail: answer.code }];
      const facts: PurchaseFact[] = [{ type: 'PurchaseDeclined', attempt, reason: answer.code }];
      if (attempt >= maxAttempts(p.trigger, policy)) return abandon(p, 'declined', records, facts);
      const wait = policy.retryDelaysMs[attempt - 1];
      assert(wait !== undefined, `no back-off step after attempt ${attempt}`);
      return step(p, { status: 'pending', nextAttemptAt: now + wait, records, facts });
    }
    case 'authentication_required':
      return abandon(p, 'authentication_required', [{ attempt, outcome: 'authentication_required', detail: null }], []);
    case 'processing':
      return timedOut ? abandon(p, 'gateway_no_answer', [], []) : step(p, { status: 'processing', nextAttemptAt: now + policy.confirmPollMs });
    case 'not_found':
      if (timedOut) return abandon(p, 'gateway_no_answer', [], []);
      return step(p, { status: 'processing', nextAttemptAt: now + policy.confirmPollMs, resubmit: true, records: [{ attempt, outcome: 'resubmitted', detail: null }] });
    case 'no_answer':
      if (timedOut) return abandon(p, 'gateway_no_answer', [{ attempt, outcome: 'no_answer', detail: answer.detail }], []);
      return step(p, { status: 'processing', nextAttemptAt: now + policy.confirmPollMs, records: [{ attempt, outcome: 'no_answer', detail: answer.detail }] });
    default:
      return assertNever(answer, 'payment answer');
  }
}

/** paid → granted: the ledger applied the grant keyed by the purchase id. */
export function onGranted(p: PurchaseState): Transition | undefined {
  if (p.status !== 'paid') return undefined;
  return step(p, {
    status: 'granted',
    nextAttemptAt: null,
    records: [{ attempt: p.attempts, outcome: 'granted', detail: null }],
    facts: [{ type: 'PurchaseSucceeded', attempt: p.attempts }],
  });
}

/**
 * A purchase refused before any payment (the plan may not buy the pack, no payment method...):
 * recorded as abandoned so that an auto-recharge's crossing is answered, once.
 */
export function refusedBeforePayment(reason: string): Pick<Transition, 'status' | 'reason' | 'records' | 'facts' | 'nextAttemptAt'> {
  return {
    status: 'abandoned',
    reason,
    nextAttemptAt: null,
    records: [{ attempt: 0, outcome: 'abandoned', detail: reason }],
    facts: [{ type: 'PurchaseAbandoned', attempt: 0, reason }],
  };
}

/** An auto-recharge over the month's limit: recorded, published, never charged. */
export function skippedForLimit(detail: string): Pick<Transition, 'status' | 'reason' | 'records' | 'facts' | 'nextAttemptAt'> {
  return {
    status: 'skipped',
    reason: 'monthly_limit',
    nextAttemptAt: null,
    records: [{ attempt: 0, outcome: 'skipped', detail }],
    facts: [{ type: 'PurchaseSkipped', attempt: 0, reason: 'monthly_limit' }],
  };
}
