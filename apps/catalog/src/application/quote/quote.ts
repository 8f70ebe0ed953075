import { QuoteRequestDto, validatePlain, type QuoteReply } from '@credence/contracts';
import { planAllows, priceUsage, versionAt, type Catalog, type History, type RateCardVersion } from '@credence/catalog-domain';
import { err, ok, type Clock, type Result } from '@credence/kernel';
import type { CatalogCache, LoadedCatalog } from '../catalog-cache.js';
import { toUsage } from '../usage.js';
import { rationalText } from '../wire.js';

/** The catalog a request names, or the default one. */
export async function resolveCatalog(cache: CatalogCache, catalogId: string | undefined): Promise<Result<LoadedCatalog, 'UNKNOWN_CATALOG'>> {
  const id = catalogId ?? (await cache.defaultCatalogId());
  const loaded = id === undefined ? undefined : await cache.get(id);
  return loaded ? ok(loaded) : err('UNKNOWN_CATALOG', id ?? 'no catalog is loaded');
}

type CardChoice = Result<History<RateCardVersion>, 'UNKNOWN_PLAN' | 'NO_VERSION_IN_FORCE' | 'UNKNOWN_RATE_CARD'>;

/** The plan's rate card at `at`, or the catalog's first when no plan is named. */
function rateCardFor(catalog: Catalog, planId: string | undefined, at: number): CardChoice {
  let cardId = catalog.rateCards[0]?.id;
  if (planId !== undefined) {
    const plan = catalog.plans.find((p) => p.id === planId);
    if (!plan) return err('UNKNOWN_PLAN', planId);
    const version = versionAt(plan.versions, at);
    if (!version) return err('NO_VERSION_IN_FORCE', `${planId} at ${new Date(at).toISOString()}`);
    cardId = version.rateCardId;
  }
  const card = catalog.rateCards.find((c) => c.id === cardId);
  return card ? ok(card) : err('UNKNOWN_RATE_CARD', cardId);
}

/** `catalog.v1.quote` and `POST /api/catalog/quote`: one usage priced with the version in force when it occurred. */
export class Quote {
  constructor(
    private readonly cache: CatalogCache,
    private readonly clock: Clock,
  ) {}

  async execute(body: unknown): Promise<QuoteReply> {
    const validated = validatePlain(QuoteRequestDto, body);
    if (!validated.ok) return { status: 'invalid', issues: validated.issues.map((i) => ({ ...i })) };
    const dto = validated.value;
    const resolved = await resolveCatalog(this.cache, dto.catalogId);
    if (!resolved.ok) return refused(resolved);
    const { catalog, catalogId, revision } = resolved.value;
    const at = dto.at === undefined ? this.clock.now() : Date.parse(dto.at);
    const card = rateCardFor(catalog, dto.planId, at);
    if (!card.ok) return refused(card);
    const usage = toUsage(dto.usage, catalog);
    if (dto.planId !== undefined) {
      const plan = versionAt(catalog.plans.find((p) => p.id === dto.planId)?.versions ?? [], at);
      if (plan && !planAllows(plan, usage)) return { status: 'refused', reason: 'NOT_IN_PLAN', detail: dto.planId };
    }
    const priced = priceUsage(card.value, usage, at);
    if (!priced.ok) return refused(priced);
    const p = priced.value;
    return {
      status: 'priced',
      catalogId,
      revision,
      credits: p.credits.toString(),
      exact: rationalText(p.exact),
      rateCardId: p.rateCardId,
      versionId: p.versionId,
      breakdown: p.breakdown.map((l) => ({ item: l.item, credits: rationalText(l.credits) })),
    };
  }
}

const refused = (e: { code: string; detail?: string }): QuoteReply =>
  e.detail === undefined ? { status: 'refused', reason: e.code } : { status: 'refused', reason: e.code, detail: e.detail };
