import { Controller, Inject } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { Namespace } from '@credence/contracts';
import { ack, term, type InboundMessage, type Outcome } from '@credence/platform-messaging';
import { ConsumeCommands } from '../../application/consume-commands/consume-commands.js';
import type { WireKind } from '../../application/apply-commands/from-wire.js';
import { kindOfSubject } from '../../config/streams.js';
import { NAMESPACE } from '../../ledger.tokens.js';
import { ledgerMetrics } from '../metrics.js';

export const COMMANDS_PATTERN = 'ledger-commands';

/** JetStream edge: a batch of command messages in, one outcome per message out. */
@Controller()
export class CommandsHandler {
  constructor(
    @Inject(ConsumeCommands) private readonly consume: ConsumeCommands,
    @Inject(NAMESPACE) private readonly ns: Namespace,
  ) {}

  @EventPattern<string>(COMMANDS_PATTERN)
  async handle(batch: InboundMessage[]): Promise<Outcome[]> {
    const started = performance.now();
    const dispositions = await this.consume.execute(
      batch.map((m) => ({
        subject: m.subject,
        kind: kindOfSubject(this.ns, m.subject) as WireKind | undefined,
        data: m.data,
        streamSeq: m.streamSequence,
      })),
    );
    const m = ledgerMetrics();
    m.batchDuration.record(performance.now() - started);
    m.batchSize.record(batch.length);
    const rejected = dispositions.filter((d) => d === 'rejected').length;
    m.commands.add(batch.length - rejected, { outcome: 'applied' });
    if (rejected > 0) m.commands.add(rejected, { outcome: 'rejected' });
    // A reject is recorded with its bytes and reason; retrying it could only fail again.
    return dispositions.map((d) => (d === 'applied' ? ack() : term('rejected: see the rejects table')));
  }
}
