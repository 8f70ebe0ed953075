import { createHash } from 'node:crypto';

/**
 * What an endpoint or a recipient can ask for. The contracts list the same names
 * (`NOTIFICATION_KINDS`); the app checks at compile time that the two agree, since a domain lib
 * may not depend on the contracts.
 */
export type NotificationKind =
  | 'balance_low'
  | 'recharge_succeeded'
  | 'recharge_failed'
  | 'recharge_skipped'
  | 'auto_recharge_disabled'
  | 'limit_reached'
  | 'credits_expiring'
  | 'monthly_reset'
  | 'price_change';

/** JSON values only: a notification's data is sent as is. Amounts are decimal strings. */
export type NotificationValue = string | number | boolean | null | readonly NotificationValue[] | { readonly [key: string]: NotificationValue };

/** One thing to tell one account, once. */
export interface Notification {
  /** `ntf_<hex>`, derived from `causeId`: the same cause always gets the same id. */
  readonly id: string;
  /** `<kind>:<what caused it>`: unique; a second event with the same cause notifies nothing. */
  readonly causeId: string;
  readonly kind: NotificationKind;
  readonly accountId: string;
  /** When the cause happened (epoch ms), not when it was consumed. */
  readonly occurredAt: number;
  readonly data: Readonly<Record<string, NotificationValue>>;
}

/** 128 bits of sha256: ids stay short, and a collision between two causes is not a real risk. */
export function notificationId(causeId: string): string {
  return `ntf_${createHash('sha256').update(causeId, 'utf8').digest('hex').slice(0, 32)}`;
}

export function notification(kind: NotificationKind, cause: string, accountId: string, occurredAt: number, data: Notification['data']): Notification {
  const causeId = `${kind}:${cause}`;
  return { id: notificationId(causeId), causeId, kind, accountId, occurredAt, data };
}

/**
 * The exact bytes every channel carries (the webhook body, signed as is). Built from the cause
 * only, with a fixed key order, so a repeat of the cause would produce the very same text.
 */
export function notificationBody(n: Notification): string {
  return JSON.stringify({ id: n.id, kind: n.kind, accountId: n.accountId, occurredAt: new Date(n.occurredAt).toISOString(), data: n.data });
}
