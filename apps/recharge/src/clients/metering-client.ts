import { httpJson, unavailable, type Unavailable, type UpstreamOptions } from '@credence/platform-runtime';

export interface Subscription {
  readonly catalogId: string;
  readonly planId: string;
}

/** The account's plan, from metering (which owns subscriptions). */
export class MeteringClient {
  constructor(
    private readonly baseUrl: string,
    private readonly options: UpstreamOptions,
  ) {}

  /** Undefined when the account has no subscription. */
  async subscription(accountId: string): Promise<Subscription | undefined | Unavailable> {
    const r = await httpJson(this.options, 'GET', `${this.baseUrl}/v1/accounts/${encodeURIComponent(accountId)}/subscription`);
    if (r.kind === 'unavailable') return r;
    if (r.status === 404) return undefined;
    const body = r.body as Partial<Subscription> | undefined;
    if (r.status !== 200 || typeof body?.catalogId !== 'string' || typeof body.planId !== 'string') return unavailable(`metering answered ${r.status}`);
    return { catalogId: body.catalogId, planId: body.planId };
  }
}
