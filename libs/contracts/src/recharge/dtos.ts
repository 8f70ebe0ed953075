import { IsBoolean, IsOptional, IsString, Length, Matches } from 'class-validator';
import { CATALOG_ID, CATALOG_ID_RULE } from '../catalog/dtos.js';
import { CALLER_ID, CALLER_ID_RULE, IsAmount } from '../validation.js';

const CURRENCY = /^[A-Z]{3}$/;

/** `POST /api/billing/purchases`: buy one pack now, with the account's saved payment method. */
export class PurchaseDto {
  @IsString() @Length(1, 100) @Matches(CALLER_ID, { message: `accountId must use ${CALLER_ID_RULE}` }) accountId!: string;
  @IsString() @Matches(CATALOG_ID, { message: `packId must use ${CATALOG_ID_RULE}` }) packId!: string;
  /** The same key answers the first purchase, whatever happened to it. */
  @IsString() @Length(1, 150) @Matches(CALLER_ID, { message: `key must use ${CALLER_ID_RULE}` }) key!: string;
  /** Omitted: the catalog's first currency. */
  @IsOptional() @Matches(CURRENCY, { message: 'currency must be an ISO 4217 code such as EUR' }) currency?: string;
  /** Omitted: the account's default saved payment method. */
  @IsOptional() @IsString() @Length(1, 100) paymentMethodId?: string;
}

/** `PUT /api/billing/auto-recharge`. */
export class AutoRechargeSettingsDto {
  @IsString() @Length(1, 100) @Matches(CALLER_ID, { message: `accountId must use ${CALLER_ID_RULE}` }) accountId!: string;
  @IsBoolean() enabled!: boolean;
  @IsString() @Matches(CATALOG_ID, { message: `packId must use ${CATALOG_ID_RULE}` }) packId!: string;
  /** Credits: when the available balance drops below, the pack is bought. */
  @IsAmount() threshold!: string;
  /** Money in minor units of `currency` per calendar month (UTC); omitted: the catalog's default (50 EUR or its equivalent). */
  @IsOptional() @IsAmount() monthlyLimitMinor?: string;
  @IsOptional() @Matches(CURRENCY, { message: 'currency must be an ISO 4217 code such as EUR' }) currency?: string;
  @IsOptional() @IsString() @Length(1, 100) paymentMethodId?: string;
}

/** The reasons a purchase is refused before any payment is attempted. */
export const PURCHASE_REFUSALS = ['plan_cannot_purchase', 'unknown_pack', 'no_subscription', 'no_payment_method', 'no_price_in_currency'] as const;
export type PurchaseRefusal = (typeof PURCHASE_REFUSALS)[number];

/**
 * `POST /api/billing/payment-methods`: saves a card with the payment gateway for the account. The
 * sandbox gateway takes only its test card numbers; a real gateway would take a token from its own
 * card form instead, never a card number.
 */
export class SavePaymentMethodDto {
  @IsString() @Length(1, 100) @Matches(CALLER_ID, { message: `accountId must use ${CALLER_ID_RULE}` }) accountId!: string;
  @IsString() @Matches(/^\d{12,19}$/, { message: 'cardNumber must be 12 to 19 digits' }) cardNumber!: string;
}

export const MAX_PURCHASES_PAGE = 200;

/** `GET /api/billing/purchases`: an account's purchases, newest first. */
export class ListPurchasesQueryDto {
  @IsString() @Length(1, 100) @Matches(CALLER_ID, { message: `accountId must use ${CALLER_ID_RULE}` }) accountId!: string;
  @IsOptional() @Matches(/^([1-9]|[1-9][0-9]|1[0-9][0-9]|200)$/, { message: `limit must be an integer from 1 to ${MAX_PURCHASES_PAGE}` }) limit?: string;
  /** The previous page's `nextCursor`. */
  @IsOptional() @IsString() @Length(1, 100) cursor?: string;
}
