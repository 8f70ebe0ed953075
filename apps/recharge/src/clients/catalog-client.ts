import type { NatsConnection } from '@nats-io/nats-core';
import { CATALOG_PACK_OFFER_SUBJECT, subject, type Namespace, type PackOfferDto, type PackOfferReply } from '@credence/contracts';
import { natsJson, type Unavailable, type UpstreamOptions } from '@credence/platform-runtime';

/** Pack offers over `catalog.v1.pack.offer`: the catalog in force decides, at every purchase. */
export class CatalogClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly ns: Namespace,
    private readonly options: UpstreamOptions,
  ) {}

  async packOffer(request: PackOfferDto): Promise<PackOfferReply | Unavailable> {
    const r = await natsJson(this.options, this.nc, subject(this.ns, CATALOG_PACK_OFFER_SUBJECT), request);
    return r.kind === 'reply' ? (r.body as PackOfferReply) : r;
  }
}
