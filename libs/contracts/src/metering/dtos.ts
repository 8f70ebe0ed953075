import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CATALOG_ID, CATALOG_ID_RULE, USAGE_TYPE, UsageBaseDto, type UsageDto } from '../catalog/dtos.js';
import { MAX_HOLD_TTL_MS, MIN_HOLD_TTL_MS, ResourceDto } from '../ledger/commands.js';
import { CALLER_ID, CALLER_ID_RULE, IsAmount, IsTimestamp } from '../validation.js';

export const MAX_USAGE_BATCH = 1000;
/** A hold's lifetime when the caller does not say: a generation that never reports is released after it. */
export const DEFAULT_AUTHORIZATION_TTL_MS = 15 * 60_000;

export const METERING_REFUSALS = [
  'insufficient_credits',
  'daily_limit_reached',
  'monthly_cap_reached',
  'concurrency_limit_reached',
  'plan_not_allowed',
] as const;
export type MeteringRefusal = (typeof METERING_REFUSALS)[number];


class KeyedDto {
  @IsString() @Length(1, 150) @Matches(CALLER_ID, { message: `key must use ${CALLER_ID_RULE}` }) key!: string;
  @IsString() @Length(1, 100) @Matches(CALLER_ID, { message: `accountId must use ${CALLER_ID_RULE}` }) accountId!: string;
}

/** `metering.v1.authorize` and `POST /v1/authorizations`: may this generation start, and hold its estimate. */
export class AuthorizeDto extends KeyedDto {
  @IsOptional() @IsString() @MaxLength(200) feature?: string;
  @IsOptional() @IsString() @MaxLength(200) model?: string;
  /** Priced by the catalog with the account's plan; the hold is that many credits. */
  @IsObject() @ValidateNested() @Type(() => UsageBaseDto, USAGE_TYPE) estimate!: UsageDto;
  @IsOptional() @ValidateNested() @Type(() => ResourceDto) resource?: ResourceDto;
  @IsOptional() @IsInt() @Min(MIN_HOLD_TTL_MS) @Max(MAX_HOLD_TTL_MS) ttlMs?: number;
}

/** `POST /v1/authorizations/:holdId/settle`: how the generation ended. */
export class SettleDto {
  @IsIn(['succeeded', 'failed']) outcome!: 'succeeded' | 'failed';
  /** The real usage; required when the generation succeeded. */
  @ValidateIf((o: SettleDto) => o.outcome === 'succeeded' || o.usage !== undefined)
  @IsObject()
  @ValidateNested()
  @Type(() => UsageBaseDto, USAGE_TYPE)
  usage?: UsageDto;
}

/** Post-paid usage: it already happened, so it is always recorded (possibly into debt). */
export class UsageEventDto extends KeyedDto {
  @IsObject() @ValidateNested() @Type(() => UsageBaseDto, USAGE_TYPE) usage!: UsageDto;
  /** Prices in force at this time apply; omitted: now. */
  @IsOptional() @IsTimestamp() occurredAt?: string;
  @IsOptional() @ValidateNested() @Type(() => ResourceDto) resource?: ResourceDto;
}

export class UsageBatchDto {
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_USAGE_BATCH) events!: unknown[];
}

/** `POST /v1/refunds`: passed to the ledger's IssueRefund. */
export class RefundDto extends KeyedDto {
  @IsString() @Length(1, 200) chargeId!: string;
  /** Omitted: everything not yet refunded. */
  @IsOptional() @IsAmount() amount?: string;
  @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

/** `PUT /v1/accounts/:id/limit-overrides`: limits raised (or lowered) until a time; an omitted limit keeps the plan's. */
export class LimitOverridesDto {
  @IsTimestamp() until!: string;
  @IsOptional() @IsInt() @Min(0) @Max(1_000_000_000) generationsPerDay?: number;
  @IsOptional() @IsAmount({ allowZero: true }) creditsPerMonth?: string;
  @IsOptional() @IsInt() @Min(0) @Max(1_000_000) concurrentGenerations?: number;
}

/** `PUT /v1/accounts/:id/subscription`: the plan whose prices and limits apply to the account. */
export class SubscriptionDto {
  @IsString() @Matches(CATALOG_ID, { message: `catalogId must use ${CATALOG_ID_RULE}` }) catalogId!: string;
  @IsString() @Matches(CATALOG_ID, { message: `planId must use ${CATALOG_ID_RULE}` }) planId!: string;
}

type Issues = ReadonlyArray<{ field: string; rule: string; message: string }>;

/** The answer to an authorization (NATS and HTTP alike). Credits are decimal strings. */
export type AuthorizeReply =
  | { readonly status: 'approved'; readonly holdId: string; readonly credits: string; readonly expiresAt: string; readonly priceVersion: string }
  | { readonly status: 'refused'; readonly reason: MeteringRefusal; readonly detail?: string }
  | { readonly status: 'invalid'; readonly issues: Issues }
  /** The key is already taken (by another account's hold, or the ledger saw it with another body). */
  | { readonly status: 'conflict'; readonly reason: string }
  /** The catalog or the ledger did not answer in time: nothing was recorded, retry with the same key. */
  | { readonly status: 'unavailable'; readonly detail: string };

/** The answer to a settlement; the same hold settled twice answers the first. */
export type SettleReply =
  | {
      readonly status: 'settled';
      readonly holdId: string;
      readonly outcome: 'succeeded' | 'failed';
      /** Everything charged: captured + excess. */
      readonly credits: string;
      readonly captured: string;
      /** Real cost above the hold, recorded as post-paid usage. */
      readonly excess: string;
      readonly priceVersion: string | null;
    }
  | { readonly status: 'refused'; readonly holdId: string; readonly reason: string }
  | { readonly status: 'not_found'; readonly holdId: string }
  | { readonly status: 'invalid'; readonly issues: Issues }
  | { readonly status: 'unavailable'; readonly detail: string };

/** The answer for one usage event. */
export type UsageReply =
  | { readonly status: 'recorded'; readonly key: string; readonly accountId: string; readonly credits: string; readonly priceVersion: string | null }
  | { readonly status: 'refused'; readonly reason: string; readonly detail?: string }
  | { readonly status: 'conflict'; readonly reason: string }
  | { readonly status: 'invalid'; readonly issues: Issues }
  | { readonly status: 'unavailable'; readonly detail: string };
