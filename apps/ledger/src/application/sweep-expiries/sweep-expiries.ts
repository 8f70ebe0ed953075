import type { Clock } from '@credence/kernel';
import type { LedgerQueries } from '@credence/ledger-data-access';
import { systemId } from '@credence/ledger-domain';
import type { ApplyCommands } from '../apply-commands/apply-commands.js';

/**
 * Records what time has done to accounts nobody touches: holds past their timeout are released
 * (HoldExpired) and grants past their expiry expire. Each is written exactly once: the domain
 * only emits an expiry for an open hold or a live grant, under the account's row lock, so two
 * sweepers (two replicas) racing on one account produce one set of events.
 */
export class SweepExpiries {
  constructor(
    private readonly queries: LedgerQueries,
    private readonly apply: ApplyCommands,
    private readonly clock: Clock,
    private readonly batchSize = 500,
  ) {}

  /** One pass; returns how many accounts it looked at (a full batch means: call again). */
  async runOnce(): Promise<number> {
    const now = this.clock.now();
    const accounts = await this.queries.accountsDueForHousekeeping(new Date(now), this.batchSize);
    if (accounts.length === 0) return 0;
    const key = systemId('housekeep', String(now));
    await this.apply.execute(accounts.map((accountId) => ({ accountId, key, bodyHash: key, command: { type: 'Housekeep' }, recordKey: false })));
    return accounts.length;
  }
}
