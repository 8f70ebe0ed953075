import type { Currency, History, PackVersion } from './model.js';
import { versionAt } from './versions.js';
import { floorDiv, formatMajor, rational, type Rational } from './rational.js';

/** A pack as offered at one time in one currency. */
export interface OfferedPack {
  readonly packId: string;
  readonly name: string;
  readonly versionId: string;
  readonly credits: bigint;
  readonly priceMinor: bigint;
}

/** The packs in force at `at` that have a price in `currency`, smallest first. */
export function offeredPacks(packs: readonly History<PackVersion>[], currency: string, at: number): OfferedPack[] {
  const offered: OfferedPack[] = [];
  for (const pack of packs) {
    const v = versionAt(pack.versions, at);
    const priceMinor = v?.prices[currency];
    if (v && priceMinor !== undefined) offered.push({ packId: pack.id, name: pack.name, versionId: v.versionId, credits: v.credits, priceMinor });
  }
  return offered.sort((a, b) => (a.credits < b.credits ? -1 : a.credits > b.credits ? 1 : a.packId.localeCompare(b.packId)));
}

export interface PackView extends OfferedPack {
  /** Exact price of 1,000 credits in minor units. */
  readonly perThousandMinor: Rational;
  /** The same in major units, `decimals` places, rounded half up (0.029 for 29 EUR per 1M). */
  readonly perThousand: string;
  /** Saving per credit against the smallest pack, in whole percent, rounded toward zero: a saving is never overstated. */
  readonly savingPercent: bigint;
}

/**
 * Computed, never stored: what a price page shows for each pack. `decimals` defaults to the
 * currency's minor digits + 1 (0.029 EUR), enough to tell the WAzion packs apart.
 */
export function packView(
  packs: readonly History<PackVersion>[],
  currency: Pick<Currency, 'code' | 'minorDigits'>,
  at: number,
  decimals = currency.minorDigits + 1,
): PackView[] {
  const offered = offeredPacks(packs, currency.code, at);
  const smallest = offered[0];
  return offered.map((p) => {
    const perThousandMinor = rational(p.priceMinor * 1000n, p.credits);
    // saving = 1 - (p.price/p.credits) / (s.price/s.credits), as an exact fraction, then floored.
    const savingPercent =
      smallest === undefined
        ? 0n
        : floorDiv(
            100n * (smallest.priceMinor * p.credits - p.priceMinor * smallest.credits),
            smallest.priceMinor * p.credits,
          );
    return { ...p, perThousandMinor, perThousand: formatMajor(perThousandMinor, currency.minorDigits, decimals), savingPercent };
  });
}
