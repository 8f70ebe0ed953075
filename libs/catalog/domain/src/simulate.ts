import { err, ok, type Result } from '@credence/kernel';
import type { Catalog, PlanVersion, Usage } from './model.js';
import { offeredPacks, type OfferedPack } from './packs.js';
import { canBuyPack, planAllows } from './plans.js';
import { priceWith, type PricingRefusal } from './pricing.js';
import { gcd } from './rational.js';
import { versionAt } from './versions.js';

export interface PackCount {
  readonly pack: OfferedPack;
  readonly count: bigint;
}

export interface PackChoice {
  readonly packs: readonly PackCount[];
  readonly credits: bigint;
  readonly priceMinor: bigint;
}

/** Most combinations `cheapestPacks` will enumerate before giving up rather than guessing. */
export const MAX_PACK_COMBINATIONS = 200_000;

const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

/**
 * The cheapest multiset of packs whose credits cover `needed` (exact; ties: fewer credits
 * bought, then fewer packs). Undefined when no pack is offered, or when the search would
 * pass MAX_PACK_COMBINATIONS.
 *
 * Why the search is small and still exact: let b be the pack with the lowest price per
 * credit. For any other pack i, g_i = b.credits / gcd(i.credits, b.credits) copies of i hold
 * exactly as many credits as i.credits / gcd copies of b, which cost no more; so some optimal
 * choice uses fewer than g_i of each i. Nor does it use more than ceil(needed / i.credits) of
 * any pack (drop one and it still covers, for less). Each i is enumerated within both bounds
 * and b fills the rest: ceil(remaining / b.credits).
 */
export function cheapestPacks(packs: readonly OfferedPack[], needed: bigint): PackChoice | undefined {
  if (needed <= 0n) return { packs: [], credits: 0n, priceMinor: 0n };
  if (packs.length === 0) return undefined;
  const best = packs.reduce((b, p) => (p.priceMinor * b.credits < b.priceMinor * p.credits ? p : b));
  const others = packs.filter((p) => p !== best);
  const bounds = others.map((p) => {
    const byExchange = best.credits / gcd(p.credits, best.credits) - 1n;
    const byNeed = ceilDiv(needed, p.credits);
    return byExchange < byNeed ? byExchange : byNeed;
  });
  const combinations = bounds.reduce((n, b) => n * (b + 1n), 1n);
  if (combinations > BigInt(MAX_PACK_COMBINATIONS)) return undefined;

  let chosen: PackChoice | undefined;
  const counts = others.map(() => 0n);
  const consider = () => {
    let credits = 0n;
    let price = 0n;
    others.forEach((p, i) => {
      credits += p.credits * (counts[i] ?? 0n);
      price += p.priceMinor * (counts[i] ?? 0n);
    });
    const fill = credits >= needed ? 0n : ceilDiv(needed - credits, best.credits);
    credits += fill * best.credits;
    price += fill * best.priceMinor;
    const total = counts.reduce((a, c) => a + c, fill);
    const current = chosen;
    const better =
      current === undefined ||
      price < current.priceMinor ||
      (price === current.priceMinor &&
        (credits < current.credits ||
          (credits === current.credits && total < current.packs.reduce((a, p) => a + p.count, 0n))));
    if (better) {
      const list = others.map((pack, i) => ({ pack, count: counts[i] ?? 0n })).concat([{ pack: best, count: fill }]);
      chosen = { packs: list.filter((c) => c.count > 0n), credits, priceMinor: price };
    }
  };
  const walk = (i: number): void => {
    if (i === others.length) return consider();
    for (let c = 0n; c <= (bounds[i] ?? 0n); c++) {
      counts[i] = c;
      walk(i + 1);
    }
    counts[i] = 0n;
  };
  walk(0);
  return chosen;
}

/** Events of one kind in a month: `count` times the same usage. */
export interface MixEntry {
  readonly usage: Usage;
  readonly count: bigint;
}

export interface SimulationInput {
  /** One plan, or every plan of the catalog when absent. */
  readonly planId?: string;
  readonly currency: string;
  readonly mix: readonly MixEntry[];
  /** Days in the simulated month, for the per-day generation limit; 30 when absent. */
  readonly days?: number;
}

export type NotCovered =
  | PricingRefusal
  | 'NOT_IN_PLAN'
  | 'NO_PLAN_PRICE_IN_CURRENCY'
  | 'MONTHLY_CREDIT_LIMIT'
  | 'DAILY_GENERATION_LIMIT'
  | 'PACKS_NOT_ALLOWED'
  | 'PACK_SEARCH_TOO_LARGE';

export interface PlanQuote {
  readonly planId: string;
  readonly planVersionId: string;
  readonly rateCardVersionId?: string;
  readonly creditsNeeded: bigint;
  readonly allocationUsed: bigint;
  readonly extraCredits: bigint;
  readonly packs: readonly PackCount[];
  readonly planPriceMinor: bigint;
  readonly packsPriceMinor: bigint;
  readonly totalMinor: bigint;
  /** Absent when the plan (with the packs it may buy) covers the mix. */
  readonly notCovered?: NotCovered;
  readonly detail?: string;
}

export interface Simulation {
  readonly currency: string;
  readonly quotes: readonly PlanQuote[];
  /** The covering quote with the lowest total (ties: catalog order); undefined if none covers. */
  readonly cheapest?: PlanQuote;
}

export type SimulationRefusal = 'UNKNOWN_PLAN' | 'UNKNOWN_CURRENCY' | 'INVALID_USAGE';

/** Credits and money for a monthly usage mix on each plan in force at `at`, and the cheapest. */
export function simulate(catalog: Catalog, input: SimulationInput, at: number): Result<Simulation, SimulationRefusal> {
  if (!catalog.currencies.some((c) => c.code === input.currency)) return err('UNKNOWN_CURRENCY', input.currency);
  if (input.mix.some((m) => m.count < 0n)) return err('INVALID_USAGE', 'negative count');
  const plans = input.planId === undefined ? catalog.plans : catalog.plans.filter((p) => p.id === input.planId);
  if (plans.length === 0) return err('UNKNOWN_PLAN', input.planId);
  const quotes: PlanQuote[] = [];
  for (const plan of plans) {
    const version = versionAt(plan.versions, at);
    if (version) quotes.push(quotePlan(catalog, plan.id, version, input, at));
  }
  const cheapest = quotes
    .filter((q) => q.notCovered === undefined)
    .reduce<PlanQuote | undefined>((b, q) => (b === undefined || q.totalMinor < b.totalMinor ? q : b), undefined);
  return ok(cheapest ? { currency: input.currency, quotes, cheapest } : { currency: input.currency, quotes });
}

function quotePlan(catalog: Catalog, planId: string, plan: PlanVersion, input: SimulationInput, at: number): PlanQuote {
  const planPriceMinor = plan.prices[input.currency];
  const base = {
    planId,
    planVersionId: plan.versionId,
    creditsNeeded: 0n,
    allocationUsed: 0n,
    extraCredits: 0n,
    packs: [],
    planPriceMinor: planPriceMinor ?? 0n,
    packsPriceMinor: 0n,
    totalMinor: planPriceMinor ?? 0n,
  };
  const refuse = (notCovered: NotCovered, detail: string, extra: Partial<PlanQuote> = {}): PlanQuote => ({ ...base, ...extra, notCovered, detail });
  if (planPriceMinor === undefined) return refuse('NO_PLAN_PRICE_IN_CURRENCY', input.currency);
  const card = catalog.rateCards.find((c) => c.id === plan.rateCardId);
  const cardVersion = card && versionAt(card.versions, at);
  if (!card || !cardVersion) return refuse('NO_VERSION_IN_FORCE', plan.rateCardId);

  // Rounding is per event: each event of an entry costs the same, so the entry is count × one.
  let creditsNeeded = 0n;
  let events = 0n;
  for (const entry of input.mix) {
    if (!planAllows(plan, entry.usage)) return refuse('NOT_IN_PLAN', JSON.stringify(entry.usage, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
    const priced = priceWith(card.id, cardVersion, entry.usage);
    if (!priced.ok) return refuse(priced.code, priced.detail ?? '');
    creditsNeeded += priced.value.credits * entry.count;
    events += entry.count;
  }
  const allocationUsed = creditsNeeded < plan.allocationCredits ? creditsNeeded : plan.allocationCredits;
  const extraCredits = creditsNeeded - allocationUsed;
  const sized = { rateCardVersionId: cardVersion.versionId, creditsNeeded, allocationUsed, extraCredits };

  const limit = plan.fairUse.creditsPerMonth;
  if (limit !== undefined && creditsNeeded > limit) return refuse('MONTHLY_CREDIT_LIMIT', `${creditsNeeded} > ${limit}`, sized);
  const perDay = plan.fairUse.generationsPerDay;
  const days = BigInt(input.days ?? 30);
  if (perDay !== undefined && events > BigInt(perDay) * days) return refuse('DAILY_GENERATION_LIMIT', `${events} events > ${perDay}/day × ${days} days`, sized);

  const buyable = offeredPacks(catalog.packs, input.currency, at).filter((p) => canBuyPack(plan, p.packId));
  if (extraCredits > 0n && buyable.length === 0) return refuse('PACKS_NOT_ALLOWED', `${extraCredits} credits beyond the allocation`, sized);
  const choice = cheapestPacks(buyable, extraCredits);
  if (!choice) return refuse('PACK_SEARCH_TOO_LARGE', `over ${MAX_PACK_COMBINATIONS} combinations`, sized);
  return {
    ...base,
    ...sized,
    packs: choice.packs,
    packsPriceMinor: choice.priceMinor,
    totalMinor: planPriceMinor + choice.priceMinor,
  };
}
