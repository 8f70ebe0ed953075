import { SimulateDto, validatePlain, type FieldIssue } from '@credence/contracts';
import { simulate } from '@credence/catalog-domain';
import type { Clock } from '@credence/kernel';
import type { CatalogCache } from '../catalog-cache.js';
import { resolveCatalog } from '../quote/quote.js';
import { toUsage } from '../usage.js';
import { toWire } from '../wire.js';

export type SimulateResult =
  | { readonly status: 'simulated'; readonly catalogId: string; readonly revision: number; readonly simulation: unknown }
  | { readonly status: 'refused'; readonly reason: string; readonly detail?: string }
  | { readonly status: 'invalid'; readonly issues: readonly FieldIssue[] };

/** `POST /api/catalog/simulate`: a monthly mix on each plan in force now (or one), and the cheapest. */
export class Simulate {
  constructor(
    private readonly cache: CatalogCache,
    private readonly clock: Clock,
  ) {}

  async execute(body: unknown): Promise<SimulateResult> {
    const validated = validatePlain(SimulateDto, body);
    if (!validated.ok) return { status: 'invalid', issues: validated.issues };
    const dto = validated.value;
    const resolved = await resolveCatalog(this.cache, dto.catalogId);
    if (!resolved.ok) return { status: 'refused', reason: resolved.code, ...(resolved.detail === undefined ? {} : { detail: resolved.detail }) };
    const { catalog, catalogId, revision } = resolved.value;
    const mix = dto.mix.map((m) => ({ usage: toUsage(m.usage, catalog), count: BigInt(m.count) }));
    const r = simulate(catalog, { currency: dto.currency, mix, ...(dto.planId === undefined ? {} : { planId: dto.planId }) }, this.clock.now());
    if (!r.ok) return { status: 'refused', reason: r.code, ...(r.detail === undefined ? {} : { detail: r.detail }) };
    return { status: 'simulated', catalogId, revision, simulation: toWire(r.value) };
  }
}
