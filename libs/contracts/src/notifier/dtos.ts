import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsEmail, IsIn, IsOptional, IsString, IsUrl, Length, Matches, MaxLength } from 'class-validator';
import { CALLER_ID, CALLER_ID_RULE } from '../validation.js';
import { NOTIFICATION_KINDS, type NotificationKind } from './kinds.js';

const KINDS_RULE = `kinds must be 1 to ${NOTIFICATION_KINDS.length} different kinds among ${NOTIFICATION_KINDS.join(', ')}`;
export const MAX_WEBHOOK_URL_LENGTH = 2_000;

/** A non-empty set of known kinds: what an endpoint or a recipient asks for. */
function IsKinds(): PropertyDecorator {
  const rules = [
    IsArray({ message: KINDS_RULE }),
    ArrayMinSize(1, { message: KINDS_RULE }),
    ArrayMaxSize(NOTIFICATION_KINDS.length, { message: KINDS_RULE }),
    ArrayUnique({ message: KINDS_RULE }),
    IsIn(NOTIFICATION_KINDS, { each: true, message: KINDS_RULE }),
  ];
  return (target, property) => rules.forEach((rule) => rule(target, property));
}
/** Per account: a bound on the fan-out of one notification. */
export const MAX_TARGETS_PER_ACCOUNT = 20;

/** `POST /api/notifications/webhooks`: where to POST the account's notifications of these kinds. */
export class WebhookEndpointDto {
  @IsString() @Length(1, 100) @Matches(CALLER_ID, { message: `accountId must use ${CALLER_ID_RULE}` }) accountId!: string;
  /** http or https; no user:password part (it would show in the delivery log). */
  @IsString()
  @MaxLength(MAX_WEBHOOK_URL_LENGTH)
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false, disallow_auth: true },
    { message: 'url must be an http:// or https:// URL without credentials' },
  )
  url!: string;
  @IsKinds() kinds!: NotificationKind[];
  @IsOptional() @IsString() @MaxLength(200) description?: string;
}

/** `POST /api/notifications/emails`: who gets the account's notifications of these kinds by e-mail. */
export class EmailRecipientDto {
  @IsString() @Length(1, 100) @Matches(CALLER_ID, { message: `accountId must use ${CALLER_ID_RULE}` }) accountId!: string;
  @IsString() @MaxLength(254) @IsEmail({}, { message: 'address must be an e-mail address such as ops@example.com' }) address!: string;
  @IsKinds() kinds!: NotificationKind[];
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const DELIVERY_CHANNELS = ['webhook', 'email'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];
export const MAX_DELIVERIES_PAGE = 100;

/** `GET /api/notifications/deliveries`: newest first. Query strings are strings: numbers are checked as text. */
export class DeliveriesQueryDto {
  @IsString() @Length(1, 100) @Matches(CALLER_ID, { message: `accountId must use ${CALLER_ID_RULE}` }) accountId!: string;
  @IsOptional() @IsIn(DELIVERY_STATUSES) status?: DeliveryStatus;
  @IsOptional() @IsIn(NOTIFICATION_KINDS) kind?: NotificationKind;
  @IsOptional() @IsString() @Length(1, 100) notificationId?: string;
  @IsOptional() @Matches(/^[1-9][0-9]{0,18}$/, { message: 'cursor must be the nextCursor of a previous page' }) cursor?: string;
  @IsOptional() @Matches(/^([1-9]|[1-9][0-9]|100)$/, { message: `limit must be an integer from 1 to ${MAX_DELIVERIES_PAGE}` }) limit?: string;
}

/** The JSON body of every webhook (and what an e-mail is rendered from). Amounts are decimal strings. */
export interface NotificationEnvelope {
  /** `ntf_<hex>`, the same on every attempt: receivers deduplicate on it (also in the `credence-notification-id` header). */
  readonly id: string;
  readonly kind: NotificationKind;
  readonly accountId: string;
  /** When the cause happened. */
  readonly occurredAt: string;
  readonly data: Record<string, unknown>;
}

export interface WebhookEndpointView {
  readonly id: string;
  readonly accountId: string;
  readonly url: string;
  readonly kinds: readonly NotificationKind[];
  readonly description: string;
  readonly createdAt: string;
}

export interface EmailRecipientView {
  readonly id: string;
  readonly accountId: string;
  readonly address: string;
  readonly kinds: readonly NotificationKind[];
  readonly createdAt: string;
}

export interface DeliveryAttemptView {
  readonly attempt: number;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly outcome: 'delivered' | 'failed';
  /** The HTTP status, or the SMTP reply code; null when there was no answer (timeout, refused connection). */
  readonly statusCode: number | null;
  readonly error: string | null;
}

export interface DeliveryView {
  readonly id: string;
  readonly notificationId: string;
  readonly kind: NotificationKind;
  readonly accountId: string;
  readonly channel: DeliveryChannel;
  /** The endpoint or recipient id, and its URL or address when the notification was recorded. */
  readonly targetId: string;
  readonly target: string;
  readonly status: DeliveryStatus;
  readonly createdAt: string;
  readonly nextAttemptAt: string | null;
  readonly giveUpAt: string;
  readonly deliveredAt: string | null;
  readonly deadAt: string | null;
  readonly lastError: string | null;
  readonly attempts: readonly DeliveryAttemptView[];
}
