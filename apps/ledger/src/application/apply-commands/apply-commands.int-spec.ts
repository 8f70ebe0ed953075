import { createLedgerFixture, type LedgerFixture } from '../../testing/ledger-fixture.js';

const DAY = 86_400_000;
let f: LedgerFixture;

beforeAll(async () => {
  f = await createLedgerFixture('apply');
});
afterAll(async () => {
  await f.close();
});

const balance = async (accountId: string) => {
  const row = await f.db.selectFrom('accounts').selectAll().where('account_id', '=', accountId).executeTakeFirstOrThrow();
  return row;
};

describe('applying commands against Postgres', () => {
  it('applies the same command delivered three times once', async () => {
    const grant = f.command('IssueGrant', { key: 'g1', accountId: 'dup', source: 'purchase', amount: '100' });
    const usage = f.command('RecordUsage', { key: 'u1', accountId: 'dup', amount: '30' });

    const first = await f.apply.execute([grant, usage, usage]);
    const again = await f.apply.execute([usage]);

    expect(first.map((r) => r.status)).toEqual(['applied', 'applied', 'duplicate']);
    expect(again.map((r) => r.status)).toEqual(['duplicate']);
    expect((await balance('dup')).balance).toBe(70n);
    const events = await f.db.selectFrom('events').select('type').where('account_id', '=', 'dup').execute();
    expect(events.map((e) => e.type)).toEqual(['GrantIssued', 'UsageDeducted']);
  });

  it('refuses the same key with another body and records it in rejects', async () => {
    await f.apply.execute([f.command('IssueGrant', { key: 'g1', accountId: 'conflict', source: 'purchase', amount: '100' })]);
    const result = await f.apply.execute([f.command('IssueGrant', { key: 'g1', accountId: 'conflict', source: 'purchase', amount: '999' })]);
    expect(result[0]?.status).toBe('conflict');
    expect((await balance('conflict')).balance).toBe(100n);
    const rejects = await f.db.selectFrom('rejects').selectAll().where('account_id', '=', 'conflict').execute();
    expect(rejects.map((r) => r.reason)).toEqual(['idempotency_conflict']);
  });

  it('burns down free, plan, promo then purchased credits and refunds back to the very grants', async () => {
    const now = f.clock.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    await f.apply.execute([
      f.command('IssueGrant', { key: 'buy', accountId: 'burn', source: 'purchase', amount: '1000' }),
      f.command('IssueGrant', { key: 'promo', accountId: 'burn', source: 'promo', amount: '100', expiresAt: iso(now + 30 * DAY) }),
      f.command('IssueGrant', { key: 'plan', accountId: 'burn', source: 'plan_allocation', amount: '100', expiresAt: iso(now + 20 * DAY) }),
      f.command('IssueGrant', { key: 'free', accountId: 'burn', source: 'free_monthly', amount: '50', expiresAt: iso(now + 10 * DAY) }),
    ]);
    await f.apply.execute([f.command('RecordUsage', { key: 'u1', accountId: 'burn', amount: '300', resource: { projectId: 'p1' } })]);

    const remaining = async () =>
      Object.fromEntries(
        (await f.db.selectFrom('grants').select(['grant_id', 'remaining']).where('account_id', '=', 'burn').execute()).map((g) => [g.grant_id, g.remaining]),
      );
    expect(await remaining()).toEqual({ free: 0n, plan: 0n, promo: 0n, buy: 950n });
    expect(await balance('burn')).toMatchObject({ free: 0n, plan: 0n, promo: 0n, purchased: 950n, balance: 950n });

    const refund = await f.apply.execute([f.command('IssueRefund', { key: 'r1', accountId: 'burn', chargeId: 'u1', amount: '120' })]);
    expect(refund[0]?.status).toBe('applied');
    // Reverse order: the 50 purchased credits first, then 70 of the 100 promo credits.
    expect(await remaining()).toEqual({ free: 0n, plan: 0n, promo: 70n, buy: 1000n });

    const tooMuch = await f.apply.execute([f.command('IssueRefund', { key: 'r2', accountId: 'burn', chargeId: 'u1', amount: '181' })]);
    expect(tooMuch[0]).toEqual({ status: 'refused', code: 'REFUND_EXCEEDS_CHARGE' });
    const rest = await f.apply.execute([f.command('IssueRefund', { key: 'r3', accountId: 'burn', chargeId: 'u1' })]);
    expect(rest[0]?.status).toBe('applied');
    expect(await remaining()).toEqual({ free: 50n, plan: 100n, promo: 100n, buy: 1000n });
  });

  it('places, partially captures, releases and expires holds, each resolved once', async () => {
    await f.apply.execute([f.command('IssueGrant', { key: 'g', accountId: 'holds', source: 'purchase', amount: '100' })]);
    const [h1, h2, h3] = await f.apply.execute([
      f.command('PlaceHold', { key: 'h1', accountId: 'holds', amount: '40', ttlMs: 60_000 }),
      f.command('PlaceHold', { key: 'h2', accountId: 'holds', amount: '40', ttlMs: 60_000 }),
      f.command('PlaceHold', { key: 'h3', accountId: 'holds', amount: '40', ttlMs: 60_000 }),
    ]);
    expect(h1?.status).toBe('applied');
    expect(h2?.status).toBe('applied');
    expect(h3).toEqual({ status: 'refused', code: 'INSUFFICIENT_CREDITS' });
    expect(await balance('holds')).toMatchObject({ held: 80n, balance: 100n });

    const [over, capture, twice, release] = await f.apply.execute([
      f.command('CaptureHold', { key: 'c0', accountId: 'holds', holdId: 'h1', amount: '41' }),
      f.command('CaptureHold', { key: 'c1', accountId: 'holds', holdId: 'h1', amount: '25' }),
      f.command('CaptureHold', { key: 'c2', accountId: 'holds', holdId: 'h1', amount: '5' }),
      f.command('ReleaseHold', { key: 'rel', accountId: 'holds', holdId: 'h2' }),
    ]);
    expect(over).toEqual({ status: 'refused', code: 'CAPTURE_EXCEEDS_HOLD' });
    expect(capture?.status).toBe('applied');
    expect(twice).toEqual({ status: 'refused', code: 'HOLD_ALREADY_RESOLVED' });
    expect(release?.status).toBe('applied');
    expect(await balance('holds')).toMatchObject({ held: 0n, balance: 75n });

    await f.apply.execute([f.command('PlaceHold', { key: 'h4', accountId: 'holds', amount: '10', ttlMs: 1_000 })]);
    f.clock.advance(1_000);
    // A capture applied after the hold timed out is still charged: the work happened.
    const late = await f.apply.execute([
      f.command('CaptureHold', { key: 'c4', accountId: 'holds', holdId: 'h4', amount: '10' }),
      f.command('CaptureHold', { key: 'c5', accountId: 'holds', holdId: 'h4', amount: '10' }),
    ]);
    expect(late[0]?.status).toBe('applied');
    expect(late[1]).toEqual({ status: 'refused', code: 'HOLD_ALREADY_RESOLVED' });
    expect(await balance('holds')).toMatchObject({ held: 0n, balance: 65n });
    const again = await f.apply.execute([f.command('CaptureHold', { key: 'c6', accountId: 'holds', holdId: 'h4', amount: '10' })]);
    expect(again[0]).toEqual({ status: 'refused', code: 'HOLD_ALREADY_RESOLVED' });
    const statuses = await f.db.selectFrom('holds').select(['hold_id', 'status']).where('account_id', '=', 'holds').orderBy('hold_id').execute();
    expect(statuses).toEqual([
      { hold_id: 'h1', status: 'captured' },
      { hold_id: 'h2', status: 'released' },
      { hold_id: 'h4', status: 'expired' },
    ]);
  });

  it('isolates a command Postgres refuses: its batch-mates are applied, it is recorded in rejects', async () => {
    // A NUL cannot be stored in Postgres text (SQLSTATE 22021): no retry can ever apply this command.
    const poison = { ...f.command('IssueGrant', { key: 'ok-key', accountId: 'iso-a', source: 'purchase', amount: '5' }), key: 'bad\u0000' };
    const bad = { ...poison, command: { ...poison.command, grantId: 'bad\u0000' } as typeof poison.command };
    const results = await f.apply.executeIsolating([
      f.command('IssueGrant', { key: 'g1', accountId: 'iso-b', source: 'purchase', amount: '10' }),
      bad,
      f.command('IssueGrant', { key: 'g2', accountId: 'iso-c', source: 'purchase', amount: '20' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'failed', 'applied']);
    expect((await balance('iso-b')).balance).toBe(10n);
    expect((await balance('iso-c')).balance).toBe(20n);
    const rejects = await f.db.selectFrom('rejects').select(['reason', 'account_id', 'detail']).where('account_id', '=', 'iso-a').execute();
    expect(rejects).toEqual([{ reason: 'failed', account_id: 'iso-a', detail: expect.stringContaining('error') as string }]);
  });

  it('refuses a command that would take a sum beyond a Postgres bigint, without failing', async () => {
    const max = '9223372036854775807';
    const [first, second] = await f.apply.execute([
      f.command('IssueGrant', { key: 'big-1', accountId: 'huge', source: 'purchase', amount: max }),
      f.command('IssueGrant', { key: 'big-2', accountId: 'huge', source: 'promo', amount: '1' }),
    ]);
    expect(first?.status).toBe('applied');
    expect(second).toEqual({ status: 'refused', code: 'AMOUNT_OUT_OF_RANGE' });
    expect((await balance('huge')).balance).toBe(BigInt(max));
  });

  it('refuses UPDATE, DELETE and TRUNCATE on the event log', async () => {
    await expect(f.pool.query(`update events set type = 'x'`)).rejects.toThrow(/append-only/);
    await expect(f.pool.query(`delete from events`)).rejects.toThrow(/append-only/);
    await expect(f.pool.query(`truncate events`)).rejects.toThrow(/append-only/);
  });
});
