import { err, ok, type Result } from '@credence/kernel';
import type { Dimension, FeatureRate, History, RateCardVersion, Usage } from './model.js';
import { add, ceil, rational, ZERO, type Rational } from './rational.js';
import { versionAt } from './versions.js';

export type PricingRefusal =
  | 'NO_VERSION_IN_FORCE'
  | 'UNKNOWN_MODEL'
  | 'UNKNOWN_UNIT'
  | 'UNKNOWN_FEATURE'
  | 'MISSING_DIMENSION'
  | 'DIMENSION_OUT_OF_RANGE'
  | 'INVALID_USAGE';

/** One exact contribution to an event's price, before the single round-up. */
export interface PriceLine {
  readonly item: string;
  readonly credits: Rational;
}

export interface Priced {
  /** The event's price: ceil(exact), capped by the feature's maxCredits if any. */
  readonly credits: bigint;
  readonly exact: Rational;
  readonly rateCardId: string;
  /** Travels with the charge, so the ledger records which prices were applied. */
  readonly versionId: string;
  readonly breakdown: readonly PriceLine[];
}

const MILLION = 1_000_000n;

/** Prices one event with the rate card version in force when it occurred. */
export function priceUsage(card: History<RateCardVersion>, usage: Usage, occurredAt: number): Result<Priced, PricingRefusal> {
  const version = versionAt(card.versions, occurredAt);
  if (!version) return err('NO_VERSION_IN_FORCE', `${card.id} at ${new Date(occurredAt).toISOString()}`);
  return priceWith(card.id, version, usage);
}

/**
 * Prices one event with a given version. Lines are summed exactly; the event is rounded up
 * once, so splitting an event into lines never adds a credit.
 */
export function priceWith(rateCardId: string, version: RateCardVersion, usage: Usage): Result<Priced, PricingRefusal> {
  const lines = linesOf(version, usage);
  if (!lines.ok) return lines;
  const exact = lines.value.lines.reduce((sum, l) => add(sum, l.credits), ZERO);
  const rounded = ceil(exact);
  const cap = lines.value.maxCredits;
  const credits = cap !== undefined && rounded > cap ? cap : rounded;
  return ok({ credits, exact, rateCardId, versionId: version.versionId, breakdown: lines.value.lines });
}

type Lines = { readonly lines: readonly PriceLine[]; readonly maxCredits?: bigint };

function linesOf(version: RateCardVersion, usage: Usage): Result<Lines, PricingRefusal> {
  switch (usage.kind) {
    case 'tokens': {
      if (usage.inputTokens < 0n || usage.outputTokens < 0n) return err('INVALID_USAGE', 'negative tokens');
      const rate = version.tokens.find((t) => t.model === usage.model);
      if (!rate) return err('UNKNOWN_MODEL', usage.model);
      return ok({
        lines: [
          { item: `${usage.model} input tokens`, credits: rational(usage.inputTokens * rate.inputPerMillion, MILLION) },
          { item: `${usage.model} output tokens`, credits: rational(usage.outputTokens * rate.outputPerMillion, MILLION) },
        ],
      });
    }
    case 'units': {
      if (usage.count < 0n) return err('INVALID_USAGE', 'negative count');
      const rate = version.units.find((u) => u.unit === usage.unit);
      if (!rate) return err('UNKNOWN_UNIT', usage.unit);
      return ok({ lines: [{ item: `${usage.count} × ${usage.unit}`, credits: rational(usage.count * rate.credits) }] });
    }
    case 'feature': {
      const rate = version.features.find((f) => f.feature === usage.feature);
      if (!rate) return err('UNKNOWN_FEATURE', usage.feature);
      return featureLines(rate, usage.dimensions);
    }
  }
}

function featureLines(rate: FeatureRate, values: Readonly<Record<string, bigint | string>>): Result<Lines, PricingRefusal> {
  const lines: PriceLine[] = [{ item: `${rate.feature} base`, credits: rational(rate.baseCredits) }];
  for (const dimension of rate.dimensions) {
    const value = values[dimension.name];
    if (value === undefined) return err('MISSING_DIMENSION', `${rate.feature}.${dimension.name}`);
    const credits = dimensionCredits(dimension, value);
    if (credits === undefined) return err('DIMENSION_OUT_OF_RANGE', `${rate.feature}.${dimension.name}=${String(value)}`);
    lines.push({ item: `${rate.feature} ${dimension.name}=${String(value)}`, credits });
  }
  return ok(rate.maxCredits === undefined ? { lines } : { lines, maxCredits: rate.maxCredits });
}

function dimensionCredits(dimension: Dimension, value: bigint | string): Rational | undefined {
  switch (dimension.kind) {
    case 'options': {
      if (typeof value !== 'string' || !Object.hasOwn(dimension.options, value)) return undefined;
      const credits = dimension.options[value];
      return credits === undefined ? undefined : rational(credits);
    }
    case 'bands': {
      if (typeof value !== 'bigint') return undefined;
      const band = dimension.bands.find((b) => value >= b.from && (b.to === null || value <= b.to));
      return band ? rational(band.credits) : undefined;
    }
    case 'tiers': {
      if (typeof value !== 'bigint' || value < 0n) return undefined;
      let total = ZERO;
      let floor = 0n;
      for (const tier of dimension.tiers) {
        const top = tier.upTo === null || tier.upTo > value ? value : tier.upTo;
        if (top > floor) total = add(total, rational((top - floor) * tier.credits, tier.per));
        if (tier.upTo === null || tier.upTo >= value) return total;
        floor = tier.upTo;
      }
      // Past the last bounded tier: the card does not price such a measure.
      return undefined;
    }
  }
}
