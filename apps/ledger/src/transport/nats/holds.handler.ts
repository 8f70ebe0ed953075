import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { LEDGER_PLACE_HOLD_SUBJECT, type PlaceHoldReply } from '@credence/contracts';
import { PlaceHold } from '../../application/place-hold/place-hold.js';

/** NATS request/reply edge: "may this generation start?" answered once the hold is committed. */
@Controller()
export class HoldsHandler {
  constructor(@Inject(PlaceHold) private readonly placeHold: PlaceHold) {}

  @MessagePattern(LEDGER_PLACE_HOLD_SUBJECT)
  place(@Payload() body: unknown): Promise<PlaceHoldReply> {
    return this.placeHold.execute(body);
  }
}
