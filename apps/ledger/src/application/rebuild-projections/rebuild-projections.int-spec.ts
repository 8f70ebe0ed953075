import { rebuildAndVerify } from '@credence/ledger-data-access';
import { createLedgerFixture, type LedgerFixture } from '../../testing/ledger-fixture.js';
import { randomOperations } from '../../testing/random-operations.js';
import { ResetPeriods } from '../reset-periods/reset-periods.js';
import { SweepExpiries } from '../sweep-expiries/sweep-expiries.js';
import type { KeyedCommand } from '../apply-commands/apply-commands.js';

let f: LedgerFixture;
beforeAll(async () => {
  f = await createLedgerFixture('rebuild', Date.UTC(2026, 9, 20));
});
afterAll(async () => {
  await f.close();
});

describe('rebuild --verify', () => {
  it('finds no difference after 100,000 random operations over 1,000 accounts, with expiries and resets', async () => {
    const sweep = new SweepExpiries(f.queries, f.apply, f.clock);
    const resets = new ResetPeriods(f.queries, f.apply, f.clock);
    const ops = randomOperations({ seed: 7, count: 100_000, accounts: 1_000, now: () => f.clock.now() });
    let batch: KeyedCommand[] = [];
    let applied = 0;
    for (const op of ops) {
      batch.push(op);
      if (batch.length === 500) {
        const results = await f.apply.execute(batch);
        applied += results.filter((r) => r.status === 'applied').length;
        batch = [];
        f.clock.advance(20 * 60_000); // 200 batches span ~2.8 days of ledger time: expiries and a month boundary happen
        while ((await sweep.runOnce()) === 500);
        while ((await resets.runOnce()) === 500);
      }
    }
    await f.apply.execute(batch);

    const report = await rebuildAndVerify(f.pool, f.schema.schema);

    expect(applied).toBeGreaterThan(50_000);
    expect(report.accounts).toBe(1_000);
    expect(report.differences).toEqual([]);
    const kinds = await f.pool.query<{ type: string }>(`select distinct type from events order by type`);
    expect(kinds.rows.map((r) => r.type)).toEqual(
      expect.arrayContaining(['GrantExpired', 'HoldExpired', 'HoldCaptured', 'RefundIssued', 'DebtSettled', 'PeriodReset', 'BalanceLow']),
    );
  });

  it('reports a projection that disagrees with the log', async () => {
    await f.pool.query(`update accounts set balance = balance + 1 where account_id = 'acc-1'`);
    await f.pool.query(`update grants set remaining = remaining - 1 where account_id = 'acc-2' and remaining > 0 and grant_id = (select grant_id from grants where account_id = 'acc-2' and remaining > 0 limit 1)`);
    const report = await rebuildAndVerify(f.pool, f.schema.schema);
    expect(report.differences.some((d) => d.startsWith('accounts acc-1 live only'))).toBe(true);
    expect(report.differences.some((d) => d.startsWith('grants acc-2/'))).toBe(true);
  });
});
