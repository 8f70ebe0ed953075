import { Controller, Inject } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { ack, nak, term, type InboundMessage, type Outcome } from '@credence/platform-messaging';
import { ConsumeUsage } from '../../application/consume-usage/consume-usage.js';

export const USAGE_PATTERN = 'metering-usage';
/** An outage of the catalog or the ledger: try the event again after this. */
const RETRY_DELAY_MS = 2_000;

/** JetStream edge: a batch of usage events in, one outcome per message out. */
@Controller()
export class UsageHandler {
  constructor(@Inject(ConsumeUsage) private readonly consume: ConsumeUsage) {}

  @EventPattern<string>(USAGE_PATTERN)
  async handle(batch: InboundMessage[]): Promise<Outcome[]> {
    const dispositions = await this.consume.execute(batch.map((m) => ({ subject: m.subject, data: m.data, streamSeq: m.streamSequence })));
    return dispositions.map((d) => (d === 'applied' ? ack() : d === 'retry' ? nak(RETRY_DELAY_MS) : term('rejected: see the rejects table')));
  }
}
