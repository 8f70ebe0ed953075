/** Every kind of notification an endpoint or a recipient can ask for. */
export const NOTIFICATION_KINDS = [
  'balance_low',
  'recharge_succeeded',
  'recharge_failed',
  'recharge_skipped',
  'auto_recharge_disabled',
  'limit_reached',
  'credits_expiring',
  'monthly_reset',
  'price_change',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Webhook signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'credence-signature';
/** Each notification's id, for the receiver to deduplicate (a delivery may be retried after a lost answer). */
export const WEBHOOK_ID_HEADER = 'credence-notification-id';
