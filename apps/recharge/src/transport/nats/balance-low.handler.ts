import { Controller, Inject, Logger } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { ack, nak, term, type InboundMessage, type Outcome } from '@credence/platform-messaging';
import { HandleBalanceLow } from '../../application/balance-low/balance-low.js';

export const BALANCE_LOW_PATTERN = 'recharge-balance-low';
/** Metering or the catalog was out: the crossing comes back after this. */
const RETRY_DELAY_MS = 2_000;

/** JetStream edge: `ledger.v1.balance.low` crossings in, acked only once what they caused is committed. */
@Controller()
export class BalanceLowHandler {
  private readonly logger = new Logger('BalanceLow');

  constructor(@Inject(HandleBalanceLow) private readonly handle: HandleBalanceLow) {}

  @EventPattern<string>(BALANCE_LOW_PATTERN)
  async execute(batch: InboundMessage[]): Promise<Outcome[]> {
    return Promise.all(
      batch.map(async (m) => {
        const d = await this.handle.execute(m.data);
        switch (d.kind) {
          case 'done':
            return ack();
          case 'retry':
            this.logger.warn(`crossing ${m.msgId ?? m.streamSequence} postponed: ${d.detail}`);
            return nak(RETRY_DELAY_MS);
          case 'invalid':
            // Only the ledger publishes here: an unreadable message is a bug, kept in the log.
            this.logger.error(`crossing ${m.msgId ?? m.streamSequence} cannot be read, terminated: ${d.detail}`);
            return term(d.detail);
        }
      }),
    );
  }
}
