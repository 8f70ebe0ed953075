import { LEDGER_EVENT_SUBJECTS } from '@credence/contracts';
import { waitFor } from '@credence/testing';
import { fundedTraffic } from '../testing/e2e-workloads.js';
import { LedgerDeployment, type CommandToPublish, type LedgerProcess } from '../testing/ledger-process.js';

// Small batches so that the two replicas really share the stream, batch after batch.
const REPLICA_ENV = { COMMAND_BATCH_SIZE: '50', RESET_INTERVAL_MS: '1000' };

let pair: LedgerDeployment;
let single: LedgerDeployment;
let replicas: LedgerProcess[];

beforeAll(async () => {
  [pair, single] = await Promise.all([LedgerDeployment.create('pair'), LedgerDeployment.create('single')]);
  replicas = await Promise.all([pair.start(REPLICA_ENV), pair.start(REPLICA_ENV)]);
  await single.start(REPLICA_ENV);
});

afterAll(async () => {
  await Promise.all([pair?.close(), single?.close()]);
});

/** Everything a deployment's projections say, in a form two deployments can be compared in. */
async function projections(d: LedgerDeployment) {
  const accounts = await d.query(
    `select account_id, version, balance, debt, held, free, plan, purchased, promo, adjustment,
            allowance_free_monthly, allowance_anchor_day, last_reset_period, thresholds
     from accounts order by account_id`,
  );
  const grants = await d.query('select * from grants order by account_id, grant_id');
  // Which usage happens to cross a threshold, and each event's balance_after, follow the order of
  // application, which two consumers may change: the events are compared by account and type.
  const events = await d.query('select account_id, type, count(*) from events group by 1, 2 order by 1, 2');
  const keyed = await d.query(`select account_id, command_key, type from events where type <> 'BalanceLow' order by 1, 2, 3`);
  const [commands] = await d.query<{ n: bigint }>('select count(*) as n from commands');
  return { accounts, grants, events, keyed, commands: commands?.n };
}

describe('two ledger processes on one stream', () => {
  it('reach exactly the balances, grants and events one process reaches', async () => {
    // Given the same funding (grants of fixed effectiveAt, thresholds) on both deployments
    const effectiveAt = new Date(Date.now() - 86_400_000).toISOString();
    const { funding, traffic } = fundedTraffic({ seed: 9, accounts: 100, count: 6_000, grantRate: 0, repeatRate: 0.1, effectiveAt });
    const grants: CommandToPublish[] = [
      ...funding,
      ...Array.from({ length: 100 }, (_, a) => ({
        kind: 'IssueGrant' as const,
        body: { key: 'promo', accountId: `acc-${a}`, source: 'promo', amount: String(1_000 + a), effectiveAt },
      })),
    ];
    // Thresholds only once the grants are in: two consumers may apply one stream in another order,
    // and a threshold set on an empty account fires (then re-arms) where the single process would not.
    const thresholds: CommandToPublish[] = Array.from({ length: 100 }, (_, a) => ({
      kind: 'ConfigureThreshold' as const,
      body: { key: 'threshold', accountId: `acc-${a}`, name: 'recharge', level: String(100_000_000 - 500 * (a % 7)) },
    }));
    for (const phase of [grants, thresholds]) {
      await Promise.all([pair.publishMany(phase), single.publishMany(phase)]);
      await Promise.all([pair.waitUntilConsumed(), single.waitUntilConsumed()]);
    }
    // (both replicas are attached to the durable consumer, each with its own pull request waiting)
    await waitFor(async () => (await pair.jsm.consumers.info(pair.commandStream, 'ledger-commands')).num_waiting >= 2, {
      what: 'two pull requests waiting on the shared consumer',
      timeoutMs: 5_000,
    });

    // When the same usage traffic, with repeats (fresh Nats-Msg-Ids), goes through each deployment
    await Promise.all([pair.publishMany(traffic), single.publishMany(traffic)]);
    await Promise.all([pair.waitUntilConsumed(60_000), single.waitUntilConsumed(60_000)]);

    // Then both end with the same projections, row for row, and the same log
    const [two, one] = await Promise.all([projections(pair), projections(single)]);
    expect(one.accounts).toHaveLength(100);
    expect(two.accounts).toEqual(one.accounts);
    expect(two.grants).toEqual(one.grants);
    expect(two.events).toEqual(one.events);
    expect(two.keyed).toEqual(one.keyed);
    expect(two.commands).toEqual(one.commands);
    const doubled = await pair.query('select account_id, command_key, type from events group by 1, 2, 3 having count(*) > 1');
    expect(doubled).toEqual([]);
    // (and the thresholds fired: the traffic is not a no-op)
    expect(one.events.some((e) => e['type'] === 'BalanceLow')).toBe(true);
  });
});

describe('monthly reset with two replicas', () => {
  it('resets each account exactly once for the current period, with one free grant', async () => {
    // Given an allowance set on 40 accounts, through both replicas
    const accounts = Array.from({ length: 40 }, (_, i) => `reset-${i}`);
    const replies = await Promise.all(
      accounts.map((accountId, i) => replicas[i % 2]!.put('/api/ledger/allowance', { key: 'allowance', accountId, freeMonthly: '500' })),
    );
    expect(replies.map((r) => r.status)).toEqual(accounts.map(() => 200));
    const now = new Date();
    const period = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;

    // When both replicas' reset loops have run (every second) until all are reset, and a few times more
    const resetCount = async () => {
      const [row] = await pair.query<{ n: bigint }>(`select count(*) as n from events where type = 'PeriodReset' and account_id like 'reset-%'`);
      return Number(row?.n);
    };
    await waitFor(async () => (await resetCount()) >= accounts.length, { what: 'every account to be reset', timeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    // Then each account has one PeriodReset and one free grant for the period
    const events = await pair.query<{ account_id: string; type: string; grant_id: string | null; period: string | null }>(
      `select account_id, type, data->>'grantId' as grant_id, data->>'period' as period from events
       where account_id like 'reset-%' and type in ('PeriodReset', 'GrantIssued') order by account_id, seq`,
    );
    const byAccount = new Map<string, string[]>();
    for (const e of events) byAccount.set(e.account_id, [...(byAccount.get(e.account_id) ?? []), `${e.type} ${e.period ?? e.grant_id}`]);
    expect(Object.fromEntries(byAccount)).toEqual(
      Object.fromEntries(accounts.map((a) => [a, [`PeriodReset ${period}`, `GrantIssued free#${period}`]])),
    );
    const rows = await pair.query<{ last_reset_period: string; free: bigint }>(
      `select last_reset_period, free from accounts where account_id like 'reset-%'`,
    );
    expect(rows).toEqual(accounts.map(() => ({ last_reset_period: period, free: 500n })));

    // And the event stream carries one PeriodReset per account
    await pair.waitUntilPublished();
    const counts = await pair.streamSubjectCounts(LEDGER_EVENT_SUBJECTS.PeriodReset);
    expect(counts[pair.eventSubject(LEDGER_EVENT_SUBJECTS.PeriodReset)]).toBe(accounts.length);
  });
});
