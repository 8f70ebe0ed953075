import { PackOfferDto, validatePlain, type PackOfferReply } from '@credence/contracts';
import { packOffer } from '@credence/catalog-domain';
import type { Clock } from '@credence/kernel';
import type { CatalogCache } from '../catalog-cache.js';

/**
 * `catalog.v1.pack.offer`: may an account on this plan buy this pack now, and for what? Recharge
 * asks before every purchase, manual or automatic, so a plan's pack rule and a price change take
 * effect at once.
 */
export class PackOffer {
  constructor(
    private readonly cache: CatalogCache,
    private readonly clock: Clock,
  ) {}

  async execute(body: unknown): Promise<PackOfferReply> {
    const validated = validatePlain(PackOfferDto, body);
    if (!validated.ok) return { status: 'invalid', issues: validated.issues.map((i) => ({ ...i })) };
    const dto = validated.value;
    const loaded = await this.cache.get(dto.catalogId);
    if (!loaded) return { status: 'refused', reason: 'unknown_catalog', detail: dto.catalogId };
    const offer = packOffer(loaded.catalog, { planId: dto.planId, packId: dto.packId, currency: dto.currency }, this.clock.now());
    if (!offer.ok) {
      const reason = offer.code.toLowerCase() as Extract<PackOfferReply, { status: 'refused' }>['reason'];
      return offer.detail === undefined ? { status: 'refused', reason } : { status: 'refused', reason, detail: offer.detail };
    }
    const o = offer.value;
    return {
      status: 'offered',
      catalogId: loaded.catalogId,
      revision: loaded.revision,
      packId: o.packId,
      versionId: o.versionId,
      credits: o.credits.toString(),
      priceMinor: o.priceMinor.toString(),
      currency: o.currency,
      defaultMonthlyLimitMinor: o.defaultMonthlyLimitMinor.toString(),
    };
  }
}
