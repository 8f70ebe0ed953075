import { err, ok, type Result } from '@credence/kernel';
import type { Catalog } from './model.js';
import { canBuyPack } from './plans.js';
import { versionAt } from './versions.js';

/** A pack as one plan may buy it at one time, in one currency. */
export interface PackOffer {
  readonly packId: string;
  readonly versionId: string;
  readonly credits: bigint;
  readonly priceMinor: bigint;
  readonly currency: string;
  /** The currency's default monthly auto-recharge limit (50 EUR or the catalog's equivalent). */
  readonly defaultMonthlyLimitMinor: bigint;
}

export type PackOfferRefusal = 'UNKNOWN_PLAN' | 'UNKNOWN_PACK' | 'PLAN_CANNOT_PURCHASE' | 'NO_PRICE_IN_CURRENCY';

/**
 * May an account on `planId` buy `packId` at `at`, and for what? The plan's version in force
 * decides (its pack rule), the pack's version in force gives credits and price. `currency`
 * omitted: the catalog's first.
 */
export function packOffer(catalog: Catalog, request: { planId: string; packId: string; currency?: string | undefined }, at: number): Result<PackOffer, PackOfferRefusal> {
  const plan = catalog.plans.find((p) => p.id === request.planId);
  const planVersion = plan && versionAt(plan.versions, at);
  if (!planVersion) return err('UNKNOWN_PLAN', plan ? `${request.planId} has no version in force` : request.planId);
  const pack = catalog.packs.find((p) => p.id === request.packId);
  const packVersion = pack && versionAt(pack.versions, at);
  if (!packVersion) return err('UNKNOWN_PACK', pack ? `${request.packId} has no version in force` : request.packId);
  if (!canBuyPack(planVersion, request.packId)) return err('PLAN_CANNOT_PURCHASE', `plan ${request.planId} may not buy pack ${request.packId}`);
  const currency = request.currency === undefined ? catalog.currencies[0] : catalog.currencies.find((c) => c.code === request.currency);
  const priceMinor = currency && packVersion.prices[currency.code];
  if (!currency || priceMinor === undefined) return err('NO_PRICE_IN_CURRENCY', `${request.packId} in ${request.currency ?? '(none)'}`);
  return ok({
    packId: request.packId,
    versionId: packVersion.versionId,
    credits: packVersion.credits,
    priceMinor,
    currency: currency.code,
    defaultMonthlyLimitMinor: currency.autoRechargeMonthlyLimit,
  });
}
