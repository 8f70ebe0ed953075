import { spawnProcess, stopAll } from '@credence/testing';
import { createLedgerFixture, type LedgerFixture } from './testing/ledger-fixture.js';
import { randomOperations } from './testing/random-operations.js';

let f: LedgerFixture;
beforeAll(async () => {
  f = await createLedgerFixture('cli');
  const ops = [...randomOperations({ seed: 11, count: 3_000, accounts: 50, now: () => f.clock.now() })];
  for (let i = 0; i < ops.length; i += 500) {
    await f.apply.execute(ops.slice(i, i + 500));
    f.clock.advance(3_600_000);
  }
});
afterAll(async () => {
  await stopAll();
  await f.close();
});

/** Runs the built CLI (`npm run ledger -- ...` without the build step) against the fixture's schema. */
async function cli(...args: string[]) {
  const p = await spawnProcess({
    command: 'node_modules/.bin/node',
    args: ['dist/apps/ledger/src/cli.js', ...args],
    env: { ...process.env, DATABASE_URL: f.schema.connectionString, LEDGER_SCHEMA: f.schema.schema },
  });
  const exit = await p.exited;
  return { code: exit.code, out: p.stdout.join('\n'), err: p.stderr.join('\n') };
}

describe('ledger CLI', () => {
  it('rebuild --verify exits 0 when the projections equal the log, 1 with each difference otherwise', async () => {
    const good = await cli('rebuild', '--verify');
    expect(good.out).toContain('OK: the projections equal the log');
    expect(good.code).toBe(0);

    await f.pool.query(`update accounts set debt = debt + 5 where account_id = 'acc-3'`);
    const bad = await cli('rebuild', '--verify');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/DIFF accounts acc-3 live only/);
    await f.pool.query(`update accounts set debt = debt - 5 where account_id = 'acc-3'`);
  });

  it('exports a time range as NDJSON and CSV, one line per event, optionally for one account', async () => {
    const range = ['--from', '2026-01-01T00:00:00Z', '--to', '2027-01-01T00:00:00Z'];
    const total = Number((await f.pool.query<{ n: string }>('select count(*)::text as n from events')).rows[0]?.n);
    const ndjson = await cli('export', ...range, '--format', 'ndjson');
    const lines = ndjson.out.split('\n').filter(Boolean);
    expect(lines).toHaveLength(total);
    const first = JSON.parse(lines[0] ?? '{}') as { seq: string; type: string; data: { type: string } };
    expect(first.seq).toBe('1');
    expect(first.data.type).toBe(first.type);

    const one = await cli('export', ...range, '--account', 'acc-7', '--format', 'csv');
    const rows = one.out.split('\n').filter(Boolean);
    const expected = Number((await f.pool.query<{ n: string }>(`select count(*)::text as n from events where account_id = 'acc-7'`)).rows[0]?.n);
    expect(rows[0]).toBe('seq,id,accountId,type,at,commandKey,balanceAfter,data');
    expect(rows).toHaveLength(expected + 1);
    expect(rows.slice(1).every((r) => r.split(',')[2] === 'acc-7')).toBe(true);
  });

  it('refuses bad arguments with the rule and exit code 2', async () => {
    const r = await cli('export', '--from', 'yesterday', '--to', '2027-01-01T00:00:00Z');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--from must be an ISO-8601 time');
    expect((await cli('rebuild')).code).toBe(2);
  });
});
