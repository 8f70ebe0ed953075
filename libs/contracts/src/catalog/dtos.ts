import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsObject,
  IsString,
  Length,
  Matches,
  IsOptional,
  ValidateNested,
  registerDecorator,
  type ValidationOptions,
} from 'class-validator';
import { IsAmount, IsTimestamp } from '../validation.js';

/** Catalog, plan, model, unit and feature ids as the catalog JSON writes them. */
export const CATALOG_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const CATALOG_ID_RULE = 'lowercase letters, digits and . _ - (at most 64)';

export const USAGE_KINDS = ['tokens', 'units', 'feature'] as const;
export const MAX_DIMENSIONS = 20;
export const MAX_MIX_ENTRIES = 100;

/** A usage of an unknown kind lands here and fails on `kind`. */
export class UsageBaseDto {
  @IsIn(USAGE_KINDS) kind!: (typeof USAGE_KINDS)[number];
}

export class TokensUsageDto extends UsageBaseDto {
  @IsString() @Length(1, 200) model!: string;
  @IsAmount({ allowZero: true }) inputTokens!: string;
  @IsAmount({ allowZero: true }) outputTokens!: string;
}

export class UnitsUsageDto extends UsageBaseDto {
  @IsString() @Length(1, 200) unit!: string;
  @IsAmount({ allowZero: true }) count!: string;
}

/**
 * Values of a feature's dimensions: a name (an option such as "4k") or a measure as a decimal
 * string ("505"); at most MAX_DIMENSIONS of them.
 */
function IsDimensions(validationOptions?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isDimensions',
      target: target.constructor,
      propertyName: propertyName as string,
      options: validationOptions ?? {},
      validator: {
        validate: (value: unknown) =>
          value !== null &&
          typeof value === 'object' &&
          !Array.isArray(value) &&
          Object.keys(value).length <= MAX_DIMENSIONS &&
          Object.entries(value).every(([k, v]) => k.length >= 1 && k.length <= 100 && typeof v === 'string' && v.length >= 1 && v.length <= 100),
        defaultMessage: (args) =>
          `${args?.property ?? 'dimensions'} must be an object of at most ${MAX_DIMENSIONS} names to strings of 1-100 characters (measures as decimal strings, e.g. "505")`,
      },
    });
  };
}

export class FeatureUsageDto extends UsageBaseDto {
  @IsString() @Length(1, 200) feature!: string;
  @IsDimensions() dimensions!: Record<string, string>;
}

export type UsageDto = TokensUsageDto | UnitsUsageDto | FeatureUsageDto;

/** How class-transformer picks the usage class from its `kind` (for a nested `usage` field). */
export const USAGE_TYPE = {
  discriminator: {
    property: 'kind',
    subTypes: [
      { value: TokensUsageDto, name: 'tokens' },
      { value: UnitsUsageDto, name: 'units' },
      { value: FeatureUsageDto, name: 'feature' },
    ],
  },
  keepDiscriminatorProperty: true,
};

/** `catalog.v1.quote` and `POST /api/catalog/quote`: price one usage. */
export class QuoteRequestDto {
  /** Omitted: the default catalog. */
  @IsOptional() @IsString() @Matches(CATALOG_ID, { message: `catalogId must use ${CATALOG_ID_RULE}` }) catalogId?: string;
  /** Omitted: the catalog's first rate card; given: the rate card of the plan's version in force at `at`. */
  @IsOptional() @IsString() @Matches(CATALOG_ID, { message: `planId must use ${CATALOG_ID_RULE}` }) planId?: string;
  /** When the usage occurred; omitted: now. */
  @IsOptional() @IsTimestamp() at?: string;
  @IsObject() @ValidateNested() @Type(() => UsageBaseDto, USAGE_TYPE) usage!: UsageDto;
}

export class MixEntryDto {
  @IsObject() @ValidateNested() @Type(() => UsageBaseDto, USAGE_TYPE) usage!: UsageDto;
  /** Events of this usage in the month. */
  @IsAmount({ allowZero: true }) count!: string;
}

/** `POST /api/catalog/simulate`: a monthly usage mix on each plan (or one), and the cheapest. */
export class SimulateDto {
  @IsOptional() @IsString() @Matches(CATALOG_ID, { message: `catalogId must use ${CATALOG_ID_RULE}` }) catalogId?: string;
  @IsOptional() @IsString() @Matches(CATALOG_ID, { message: `planId must use ${CATALOG_ID_RULE}` }) planId?: string;
  @IsString() @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as EUR' }) currency!: string;
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_MIX_ENTRIES) @ValidateNested({ each: true }) @Type(() => MixEntryDto) mix!: MixEntryDto[];
}

export interface PriceLineReply {
  readonly item: string;
  /** Exact, before the one round-up: an integer ("300") or a reduced fraction ("1/2"). */
  readonly credits: string;
}

/** The answer to a quote (NATS and HTTP alike). Credits are decimal strings. */
export type QuoteReply =
  | {
      readonly status: 'priced';
      readonly catalogId: string;
      readonly revision: number;
      readonly credits: string;
      readonly exact: string;
      readonly rateCardId: string;
      readonly versionId: string;
      readonly breakdown: readonly PriceLineReply[];
    }
  | { readonly status: 'refused'; readonly reason: string; readonly detail?: string }
  | { readonly status: 'invalid'; readonly issues: ReadonlyArray<{ field: string; rule: string; message: string }> };

/** `catalog.v1.pack.offer`: may this plan buy this pack, and at what price now? */
export class PackOfferDto {
  @IsString() @Matches(CATALOG_ID, { message: `catalogId must use ${CATALOG_ID_RULE}` }) catalogId!: string;
  @IsString() @Matches(CATALOG_ID, { message: `planId must use ${CATALOG_ID_RULE}` }) planId!: string;
  @IsString() @Matches(CATALOG_ID, { message: `packId must use ${CATALOG_ID_RULE}` }) packId!: string;
  @IsOptional() @IsString() @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as EUR' }) currency?: string;
}
