import type { NatsConnection } from '@nats-io/nats-core';
import { CATALOG_QUOTE_SUBJECT, subject, type Namespace, type QuoteReply, type UsageDto } from '@credence/contracts';
import { httpJson, natsJson, unavailable, type Unavailable, type UpstreamOptions } from '@credence/platform-runtime';

/** A plan's fair-use limits (an absent limit does not apply) and its monthly allocation. */
export interface PlanLimits {
  readonly generationsPerDay?: number;
  readonly creditsPerMonth?: bigint;
  readonly concurrentGenerations?: number;
  readonly allocationCredits: bigint;
}

type PlanVersionJson = {
  effectiveAt?: string;
  allocationCredits?: string;
  fairUse?: { generationsPerDay?: number; creditsPerMonth?: string; concurrentGenerations?: number };
};
type CatalogJson = { plans?: { id?: string; versions?: PlanVersionJson[] }[] };

/** Prices over `catalog.v1.quote`; plan limits from the catalog document over HTTP, reused for a short while. */
export class CatalogClient {
  private readonly documents = new Map<string, { at: number; document: CatalogJson }>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly ns: Namespace,
    private readonly baseUrl: string,
    private readonly options: UpstreamOptions,
    private readonly cacheMs: number,
  ) {}

  async quote(request: { catalogId?: string; planId?: string; at?: string; usage: UsageDto }): Promise<QuoteReply | Unavailable> {
    const r = await natsJson(this.options, this.nc, subject(this.ns, CATALOG_QUOTE_SUBJECT), request);
    return r.kind === 'reply' ? (r.body as QuoteReply) : r;
  }

  /** The limits and allocation of the plan's version in force at `at`; undefined when the catalog or plan is unknown. */
  async planLimits(catalogId: string, planId: string, at: number): Promise<PlanLimits | undefined | Unavailable> {
    const doc = await this.document(catalogId, at);
    if (doc === undefined || 'kind' in doc) return doc;
    const versions = doc.plans?.find((p) => p.id === planId)?.versions ?? [];
    const inForce = versions
      .filter((v) => v.effectiveAt !== undefined && Date.parse(v.effectiveAt) <= at)
      .sort((a, b) => Date.parse(b.effectiveAt ?? '') - Date.parse(a.effectiveAt ?? ''))[0];
    if (!inForce) return undefined;
    const f = inForce.fairUse ?? {};
    return {
      ...(f.generationsPerDay === undefined ? {} : { generationsPerDay: f.generationsPerDay }),
      ...(f.creditsPerMonth === undefined ? {} : { creditsPerMonth: BigInt(f.creditsPerMonth) }),
      ...(f.concurrentGenerations === undefined ? {} : { concurrentGenerations: f.concurrentGenerations }),
      allocationCredits: BigInt(inForce.allocationCredits ?? '0'),
    };
  }

  private async document(catalogId: string, now: number): Promise<CatalogJson | undefined | Unavailable> {
    const cached = this.documents.get(catalogId);
    if (cached && now - cached.at < this.cacheMs) return cached.document;
    const r = await httpJson(this.options, 'GET', `${this.baseUrl}/api/catalog/catalogs/${encodeURIComponent(catalogId)}`);
    if (r.kind === 'unavailable') return r;
    if (r.status === 404) return undefined;
    if (r.status !== 200) return unavailable(`catalog answered ${r.status}`);
    const document: CatalogJson = (r.body as { document?: CatalogJson }).document ?? {};
    this.documents.set(catalogId, { at: now, document });
    return document;
  }
}
