import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CATALOG_PACK_OFFER_SUBJECT, type PackOfferReply } from '@credence/contracts';
import { PackOffer } from '../../application/pack-offer/pack-offer.js';

/** NATS request/reply edge: "may this plan buy this pack, and for what?", answered from the cached catalog. */
@Controller()
export class PackOfferHandler {
  constructor(@Inject(PackOffer) private readonly offer: PackOffer) {}

  @MessagePattern(CATALOG_PACK_OFFER_SUBJECT)
  execute(@Payload() body: unknown): Promise<PackOfferReply> {
    return this.offer.execute(body);
  }
}
