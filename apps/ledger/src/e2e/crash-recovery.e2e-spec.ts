import { ledgerBalance } from '@credence/ledger-domain';
import { rebuildAndVerify } from '@credence/ledger-data-access';
import { waitFor } from '@credence/testing';
import { foldThroughDomain, fundedTraffic } from '../testing/e2e-workloads.js';
import { LedgerDeployment, type LedgerProcess } from '../testing/ledger-process.js';

let d: LedgerDeployment;

beforeAll(async () => {
  d = await LedgerDeployment.create('crash');
});

afterAll(async () => {
  await d?.close();
});

describe('kill -9 in the middle of a batch', () => {
  it('loses nothing and doubles nothing: balances, debts and events equal the pure model after a restart', async () => {
    // Given a funded ledger and 20,000 usages, grants and repeats over 200 accounts
    const { funding, traffic } = fundedTraffic({ seed: 42, accounts: 200, count: 20_000, grantRate: 0.15, repeatRate: 0.05 });
    let ledger: LedgerProcess = await d.start();
    await d.publishMany(funding);
    await d.waitUntilConsumed();
    const funded = await d.eventCount();
    const expected = foldThroughDomain([...funding, ...traffic]);
    expect(funded).toBe(funding.length);

    // When the traffic is published, pipelined, and the ledger is SIGKILLed once part of it is applied
    const published = d.publishMany(traffic);
    const atKill = await waitFor(
      async () => {
        const n = await d.eventCount();
        return n >= funded + 3_000 ? n : 0;
      },
      { what: '3,000 commands to be applied', timeoutMs: 60_000, intervalMs: 10 },
    );
    await ledger.kill('SIGKILL');
    expect(ledger.process.exit).toEqual({ code: null, signal: 'SIGKILL' });
    // (commands it had taken and not acknowledged: they come back to the next process)
    const orphaned = (await d.jsm.consumers.info(d.commandStream, 'ledger-commands')).num_ack_pending;
    const acks = await published;
    expect(acks.every((a) => !a.duplicate)).toBe(true);

    // And it is restarted and catches up, redeliveries included
    ledger = await d.start();
    await d.waitUntilConsumed(90_000);

    // Then every account's balance and debt equal the model's
    const rows = await d.query<{ account_id: string; balance: bigint; debt: bigint; version: bigint }>(
      'select account_id, balance, debt, version from accounts order by account_id',
    );
    const actual = Object.fromEntries(rows.map((r) => [r.account_id, { balance: r.balance, debt: r.debt, version: Number(r.version) }]));
    const model = Object.fromEntries(
      [...expected.accounts.values()].map((s) => [s.accountId, { balance: ledgerBalance(s), debt: s.debt, version: s.version }]),
    );
    expect(Object.keys(actual)).toHaveLength(200);
    expect(actual).toEqual(model);

    // And the log holds exactly the model's events, none of them twice
    expect(await d.eventCount()).toBe(expected.events);
    const repeated = await d.query('select event_id from events group by event_id having count(*) > 1');
    expect(repeated).toEqual([]);
    const doubled = await d.query(
      `select account_id, command_key, type, count(*) from events group by account_id, command_key, type having count(*) > 1`,
    );
    expect(doubled).toEqual([]);
    const [keys] = await d.query<{ n: bigint }>('select count(*) as n from commands');
    expect(Number(keys?.n)).toBe(expected.keys);
    expect(await d.query('select reason from rejects')).toEqual([]);

    // And the crash did come in the middle: before the end, with commands taken and not acknowledged
    expect(atKill).toBeLessThan(expected.events);
    expect(orphaned).toBeGreaterThan(0);

    // And the projections still equal a rebuild from the log
    const report = await rebuildAndVerify(d.pool, d.schema.schema);
    expect(report.differences).toEqual([]);
  });
});
