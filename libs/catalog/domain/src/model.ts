/**
 * The catalog's model. Times are epoch milliseconds (UTC). Credits and money are bigint:
 * money in minor units of its currency (cents, centimes), never a float.
 */

/** Anything whose terms change over time: a new version is appended, an old one never edited. */
export interface Versioned {
  readonly versionId: string;
  readonly effectiveAt: number;
}

/** The history of one priced thing, oldest first. */
export interface History<V extends Versioned> {
  readonly id: string;
  readonly name: string;
  readonly versions: readonly V[];
}

export interface Currency {
  readonly code: string;
  /** Digits of the minor unit (EUR 2, DZD 2): used only to display amounts. */
  readonly minorDigits: number;
  /**
   * The default monthly auto-recharge spending limit in this currency, minor units: 50 EUR
   * (PRODUCT §5), or what the catalog states as its equivalent in another currency.
   */
  readonly autoRechargeMonthlyLimit: bigint;
}

/** Money per currency code, in minor units. A currency missing here is not offered. */
export type Prices = Readonly<Record<string, bigint>>;

export type Rollover =
  | { readonly kind: 'none' }
  | { readonly kind: 'cap'; readonly capCredits: bigint }
  | { readonly kind: 'all' };

/** Fair-use limits; an absent limit does not apply. */
export interface FairUse {
  readonly generationsPerDay?: number;
  readonly creditsPerMonth?: bigint;
  readonly concurrentGenerations?: number;
}

/** Which packs a plan may buy is the plan's own rule (PRODUCT §2). */
export type PackRule =
  | { readonly kind: 'none' }
  | { readonly kind: 'all' }
  | { readonly kind: 'only'; readonly packIds: readonly string[] };

/** `all`, or the ids allowed. */
export type Allowed = 'all' | readonly string[];

export interface PlanVersion extends Versioned {
  /** Monthly subscription price; 0 for a free plan. */
  readonly prices: Prices;
  readonly allocationCredits: bigint;
  readonly rollover: Rollover;
  readonly fairUse: FairUse;
  /** Feature ids the plan may use (rate card features). */
  readonly features: Allowed;
  /** Token models and unit generators (rate card `tokens[].model`, `units[].unit`) the plan may use. */
  readonly models: Allowed;
  readonly packs: PackRule;
  /** The rate card that prices this plan's usage. */
  readonly rateCardId: string;
}

export interface PackVersion extends Versioned {
  readonly credits: bigint;
  readonly prices: Prices;
}

/** Credits per 1M tokens, per direction. */
export interface TokenRate {
  readonly model: string;
  readonly inputPerMillion: bigint;
  readonly outputPerMillion: bigint;
}

/** Credits per unit (an image, a render, a lot). */
export interface UnitRate {
  readonly unit: string;
  readonly credits: bigint;
}

/** A numeric band, bounds inclusive; `to: null` is open-ended. */
export interface Band {
  readonly from: bigint;
  readonly to: bigint | null;
  readonly credits: bigint;
}

/**
 * Graduated tier: the units of the measure that fall in (previous upTo, upTo] cost
 * `credits` per `per` units — a rational rate, so 1 credit per 10 characters is exact.
 */
export interface Tier {
  readonly upTo: bigint | null;
  readonly credits: bigint;
  readonly per: bigint;
}

export type Dimension =
  /** A step price: the value must fall in one band, whose credits are added. */
  | { readonly kind: 'bands'; readonly name: string; readonly bands: readonly Band[] }
  /** A choice: the value must be one of the options, whose credits are added. */
  | { readonly kind: 'options'; readonly name: string; readonly options: Readonly<Record<string, bigint>> }
  /** A measure priced by graduated tiers; the value must not pass the last tier's upTo. */
  | { readonly kind: 'tiers'; readonly name: string; readonly tiers: readonly Tier[] };

export interface FeatureRate {
  readonly feature: string;
  readonly baseCredits: bigint;
  readonly dimensions: readonly Dimension[];
  /** Caps one event after rounding (e.g. a translation never costs more than 800). */
  readonly maxCredits?: bigint;
}

export interface RateCardVersion extends Versioned {
  readonly tokens: readonly TokenRate[];
  readonly units: readonly UnitRate[];
  readonly features: readonly FeatureRate[];
}

export interface Catalog {
  readonly id: string;
  readonly name: string;
  /** What one credit is worth in this product, in words (PRODUCT §1). */
  readonly creditUnit: string;
  readonly currencies: readonly Currency[];
  readonly plans: readonly History<PlanVersion>[];
  readonly packs: readonly History<PackVersion>[];
  readonly rateCards: readonly History<RateCardVersion>[];
  /** Free text: where the figures come from and which ones are assumptions. */
  readonly notes: readonly string[];
}

/** One priced event: a model call, a count of units, a feature run with its dimensions. */
export type Usage =
  | { readonly kind: 'tokens'; readonly model: string; readonly inputTokens: bigint; readonly outputTokens: bigint }
  | { readonly kind: 'units'; readonly unit: string; readonly count: bigint }
  | { readonly kind: 'feature'; readonly feature: string; readonly dimensions: Readonly<Record<string, bigint | string>> };
