import type { Clock } from '@credence/kernel';
import type { LedgerQueries } from '@credence/ledger-data-access';
import { hashBody, type ApplyCommands } from '../apply-commands/apply-commands.js';

/**
 * Starts each account's new period once: unused free credits expire and the period's free grant
 * is issued. The command's key is `reset:<period>`, so however many replicas run this at once,
 * the key's uniqueness in Postgres lets exactly one of them apply it; the others see a repeat.
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
    await this.apply.execute(
      due.map(({ accountId, period }) => ({
        accountId,
        key: `reset:${period}`,
        bodyHash: hashBody({ kind: 'ResetPeriod', period }),
        command: { type: 'ResetPeriod', period },
      })),
    );
    return due.length;
  }
}
