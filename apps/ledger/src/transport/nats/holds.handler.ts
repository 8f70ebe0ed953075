import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { LEDGER_PLACE_HOLD_SUBJECT, type PlaceHoldReply } from '@credence/contracts';
import { PlaceHold } from '../../application/place-hold/place-hold.js';
import { ledgerMetrics } from '../metrics.js';

/** NATS request/reply edge: "may this generation start?" answered once the hold is committed. */
@Controller()
export class HoldsHandler {
  constructor(@Inject(PlaceHold) private readonly placeHold: PlaceHold) {}

  @MessagePattern(LEDGER_PLACE_HOLD_SUBJECT)
  async place(@Payload() body: unknown): Promise<PlaceHoldReply> {
    const started = performance.now();
    const reply = await this.placeHold.execute(body);
    const m = ledgerMetrics();
    m.holdDuration.record(performance.now() - started);
    m.holds.add(1, { status: reply.status });
    return reply;
  }
}
