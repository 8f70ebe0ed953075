/**
 * What metering publishes on stream METERING (not the METERING_USAGE input stream): facts other
 * services react to. `Nats-Msg-Id` is the event's `id`, deterministic per cause.
 */
export const METERING_EVENT_SUBJECTS = {
  /** The first refusal for a daily or monthly limit in a period; later refusals in that period publish nothing new. */
  LimitReached: 'metering.v1.limit.reached',
  SubscriptionSet: 'metering.v1.subscription.set',
} as const;
export type MeteringEventType = keyof typeof METERING_EVENT_SUBJECTS;
export const METERING_EVENTS_STREAM = 'METERING';

export interface LimitReachedEvent {
  /** `<accountId>#<limit>#<period>`: one per account, limit and period. */
  readonly id: string;
  readonly type: 'LimitReached';
  readonly accountId: string;
  readonly at: string;
  readonly limit: 'daily_generations' | 'monthly_credits';
  /** `2026-11-21` for a day, `2026-11` for a month (UTC). */
  readonly period: string;
  /** The limit in force (an override included): generations or credits, as a decimal string. */
  readonly value: string;
}

export interface SubscriptionSetEvent {
  /** `<accountId>#subscription#<catalogId>#<planId>#<at>`. */
  readonly id: string;
  readonly type: 'SubscriptionSet';
  readonly accountId: string;
  readonly at: string;
  readonly catalogId: string;
  readonly planId: string;
}

export type MeteringEvent = LimitReachedEvent | SubscriptionSetEvent;
