import type { Clock } from '@credence/kernel';
import type { LedgerQueries } from '@credence/ledger-data-access';
import { systemId } from '@credence/ledger-domain';
import { hashBody, type ApplyCommands } from '../apply-commands/apply-commands.js';

/**
 * Starts each account's new period once: unused free credits expire and the period's free grant
 * is issued. Exactly once however many replicas run this: the account's row lock serialises them
 * and the domain refuses a period already reset (`PERIOD_ALREADY_RESET`). No idempotency record is
 * kept, so a refusal (a period not due under a new anchor day) is decided again next time.
 */
export class ResetPeriods {
  constructor(
    private readonly queries: LedgerQueries,
    private readonly apply: ApplyCommands,
    private readonly clock: Clock,
    private readonly batchSize = 500,
  ) {}

  async runOnce(): Promise<number> {
    const due = await this.queries.accountsDueForReset(new Date(this.clock.now()), this.batchSize);
    if (due.length === 0) return 0;
    const results = await this.apply.execute(
      due.map(({ accountId, period }) => ({
        accountId,
        key: systemId('reset', period),
        bodyHash: hashBody({ kind: 'ResetPeriod', period }),
        command: { type: 'ResetPeriod', period },
        recordKey: false,
      })),
    );
    // Only resets done count as work: refusals must not keep the loop from pausing.
    return results.filter((r) => r.status === 'applied').length;
  }
}
