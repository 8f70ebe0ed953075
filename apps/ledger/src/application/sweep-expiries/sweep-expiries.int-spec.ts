import { createLedgerFixture, type LedgerFixture } from '../../testing/ledger-fixture.js';
import { SweepExpiries } from './sweep-expiries.js';

const HOUR = 3_600_000;
let f: LedgerFixture;
let sweep: SweepExpiries;
beforeAll(async () => {
  f = await createLedgerFixture('sweep');
  sweep = new SweepExpiries(f.queries, f.apply, f.clock);
});
afterAll(async () => {
  await f.close();
});

const account = (id: string) => f.db.selectFrom('accounts').selectAll().where('account_id', '=', id).executeTakeFirstOrThrow();
const events = async (id: string) =>
  (await f.db.selectFrom('events').select('type').where('account_id', '=', id).orderBy('seq').execute()).map((e) => e.type);

describe('the expiry sweep', () => {
  it('expires untouched holds and grants once, releasing and removing their credits', async () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    await f.apply.execute([
      f.command('IssueGrant', { key: 'promo', accountId: 'idle', source: 'promo', amount: '100', expiresAt: iso(f.clock.now() + 2 * HOUR) }),
      f.command('IssueGrant', { key: 'buy', accountId: 'idle', source: 'purchase', amount: '50' }),
      f.command('PlaceHold', { key: 'h1', accountId: 'idle', amount: '120', ttlMs: HOUR }),
    ]);
    expect(await account('idle')).toMatchObject({ held: 120n, balance: 150n });

    f.clock.advance(HOUR);
    expect(await sweep.runOnce()).toBe(1);
    expect(await account('idle')).toMatchObject({ held: 0n, balance: 150n });
    f.clock.advance(HOUR);
    expect(await sweep.runOnce()).toBe(1);
    expect(await sweep.runOnce()).toBe(0);
    expect(await account('idle')).toMatchObject({ held: 0n, balance: 50n, promo: 0n, purchased: 50n });
    expect(await events('idle')).toEqual(['GrantIssued', 'GrantIssued', 'HoldPlaced', 'HoldExpired', 'GrantExpired']);
  });

  it('lets a grant that starts later pay the debt as soon as it starts', async () => {
    await f.apply.execute([
      f.command('RecordUsage', { key: 'u1', accountId: 'owing', amount: '30' }),
      f.command('IssueGrant', { key: 'next', accountId: 'owing', source: 'plan_allocation', amount: '100', effectiveAt: new Date(f.clock.now() + HOUR).toISOString() }),
    ]);
    expect(await account('owing')).toMatchObject({ debt: 30n });
    expect(await sweep.runOnce()).toBe(0); // not started yet: nothing to do

    f.clock.advance(HOUR);
    expect(await sweep.runOnce()).toBe(1);
    expect(await account('owing')).toMatchObject({ debt: 0n, balance: 70n, plan: 70n });
    expect(await sweep.runOnce()).toBe(0);
  });
});
