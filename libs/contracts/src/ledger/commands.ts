import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CALLER_ID, CALLER_ID_RULE, IsAmount, IsTimestamp } from '../validation.js';


export const GRANT_SOURCE_VALUES = ['free_monthly', 'plan_allocation', 'purchase', 'promo', 'adjustment'] as const;

/** Longest time a hold may stay open before it expires by itself. */
export const MAX_HOLD_TTL_MS = 24 * 3_600_000;
export const MIN_HOLD_TTL_MS = 1_000;

export class ResourceDto {
  @IsOptional() @IsString() @MaxLength(200) projectId?: string;
  @IsOptional() @IsString() @MaxLength(200) sessionId?: string;
  @IsOptional() @IsString() @MaxLength(200) generationId?: string;
  @IsOptional() @IsString() @MaxLength(200) model?: string;
  @IsOptional() @IsString() @MaxLength(200) feature?: string;
}

/** Every ledger command: the account it is for and the caller's idempotency key (same key twice = applied once, forever). */
export class LedgerCommandBase {
  @IsString() @Length(1, 200) @Matches(CALLER_ID, { message: `key must use ${CALLER_ID_RULE}` }) key!: string;
  @IsString() @Length(1, 100) @Matches(CALLER_ID, { message: `accountId must use ${CALLER_ID_RULE}` }) accountId!: string;
}

export class IssueGrantDto extends LedgerCommandBase {
  @IsIn(GRANT_SOURCE_VALUES) source!: (typeof GRANT_SOURCE_VALUES)[number];
  @IsAmount() amount!: string;
  @IsOptional() @IsInt() @Min(0) @Max(1_000_000) priority?: number;
  @IsOptional() @IsTimestamp() effectiveAt?: string;
  @IsOptional() @IsTimestamp() expiresAt?: string;
  @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

export class RecordUsageDto extends LedgerCommandBase {
  @IsAmount() amount!: string;
  @IsOptional() @ValidateNested() @Type(() => ResourceDto) resource?: ResourceDto;
  @IsOptional() @IsString() @MaxLength(100) priceVersion?: string;
}

export class PlaceHoldDto extends LedgerCommandBase {
  @IsAmount() amount!: string;
  @IsInt() @Min(MIN_HOLD_TTL_MS) @Max(MAX_HOLD_TTL_MS) ttlMs!: number;
  @IsOptional() @ValidateNested() @Type(() => ResourceDto) resource?: ResourceDto;
}

export class CaptureHoldDto extends LedgerCommandBase {
  @IsString() @Length(1, 200) holdId!: string;
  @IsAmount({ allowZero: true }) amount!: string;
  @IsOptional() @IsString() @MaxLength(100) priceVersion?: string;
}

export class ReleaseHoldDto extends LedgerCommandBase {
  @IsString() @Length(1, 200) holdId!: string;
}

export class IssueRefundDto extends LedgerCommandBase {
  @IsString() @Length(1, 200) chargeId!: string;
  /** Omitted: everything not yet refunded. */
  @IsOptional() @IsAmount() amount?: string;
  @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

export class ConfigureThresholdDto extends LedgerCommandBase {
  @IsString() @Length(1, 50) @Matches(/^[a-z][a-z0-9_-]*$/, { message: 'name must be lowercase letters, digits, _ and -' }) name!: string;
  /** The level below which a low-balance event is published; omitted removes the threshold. */
  @IsOptional() @IsAmount({ allowZero: true }) level?: string;
}

export class ConfigureAllowanceDto extends LedgerCommandBase {
  @IsAmount({ allowZero: true }) freeMonthly!: string;
  @IsOptional() @IsInt() @Min(1) @Max(28) anchorDay?: number;
}

/** The answer to a hold request over NATS request/reply. Amounts are decimal strings. */
export type PlaceHoldReply =
  | { readonly status: 'approved'; readonly holdId: string; readonly amount: string; readonly expiresAt: string; readonly available: string }
  | { readonly status: 'refused'; readonly reason: string; readonly available: string | null }
  | { readonly status: 'invalid'; readonly issues: ReadonlyArray<{ field: string; rule: string; message: string }> };
