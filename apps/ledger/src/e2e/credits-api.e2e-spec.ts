import { LedgerDeployment, type LedgerProcess } from '../testing/ledger-process.js';

let d: LedgerDeployment;
let ledger: LedgerProcess;

beforeAll(async () => {
  d = await LedgerDeployment.create('credits');
  ledger = await d.start();
});

afterAll(async () => {
  await d?.close();
});

interface Transaction {
  id: string;
  type: string;
  event: string;
  amount: string;
  reserved: string | null;
  timestamp: string;
  balanceAfter: string;
  resource: Record<string, string> | null;
}
interface CreditsPage {
  accountId: string;
  balance: { total: string; available: string; held: string; debt: string; pending: string; bySource: Record<string, string> };
  transactions: Transaction[];
  nextCursor: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const DAY_MS = 86_400_000;
const credits = async (query: string) => {
  const reply = await ledger.get<CreditsPage>(`/api/billing/credits?accountId=acct${query}`);
  expect(reply.status).toBe(200);
  return reply.body;
};
const post = async (path: string, body: Record<string, unknown>) => {
  const reply = await ledger.post(path, { accountId: 'acct', ...body });
  expect(reply).toMatchObject({ status: 200 });
};

/** When the second half of the history started: the from/to filters split on it. */
let split: string;

beforeAll(async () => {
  // Grants of four sources, usage on two projects, a hold captured, a refund; half of it after `split`
  const later = new Date(Date.now() + 30 * DAY_MS).toISOString();
  await post('/api/ledger/grants', { key: 'buy', source: 'purchase', amount: '1000' });
  await post('/api/ledger/grants', { key: 'promo', source: 'promo', amount: '200', expiresAt: later });
  await post('/api/ledger/grants', { key: 'plan', source: 'plan_allocation', amount: '100', expiresAt: later });
  await post('/api/ledger/grants', { key: 'free', source: 'free_monthly', amount: '50', expiresAt: later });
  await post('/api/ledger/usage', { key: 'u1', amount: '30', resource: { projectId: 'p1' } });
  await post('/api/ledger/usage', { key: 'u2', amount: '40', resource: { projectId: 'p2' } });
  await sleep(20);
  split = new Date().toISOString();
  await sleep(20);
  await post('/api/ledger/usage', { key: 'u3', amount: '50', resource: { projectId: 'p1', sessionId: 's1' } });
  await post('/api/ledger/holds', { key: 'h1', amount: '20', ttlMs: 60_000, resource: { projectId: 'p2' } });
  await post('/api/ledger/captures', { key: 'c1', holdId: 'h1', amount: '15' });
  await post('/api/ledger/refunds', { key: 'r1', chargeId: 'u2', amount: '10' });
});

describe('GET /api/billing/credits', () => {
  it('gives the balance by source', async () => {
    // 1,350 granted; 30 + 40 + 50 + 15 spent = 135 burnt free (50), plan (85); 10 refunded to u2's grants
    const page = await credits('');
    expect(page.balance).toEqual({
      total: '1225',
      available: '1225',
      held: '0',
      debt: '0',
      pending: '0',
      bySource: { free: '0', plan: '25', purchased: '1000', promo: '200', adjustment: '0' },
    });
  });

  it('lists the transactions newest first, each with its type, signed amount and balance after', async () => {
    const page = await credits('&limit=200');
    expect(page.nextCursor).toBeNull();
    // A placed hold moves no credits (amount 0, balance unchanged); what it reserves is `reserved`.
    expect(page.transactions.map((t) => [t.event, t.amount, t.balanceAfter, t.reserved])).toEqual([
      ['RefundIssued', '10', '1225', null],
      ['HoldCaptured', '-15', '1215', '-20'],
      ['HoldPlaced', '0', '1230', '20'],
      ['UsageDeducted', '-50', '1230', null],
      ['UsageDeducted', '-40', '1280', null],
      ['UsageDeducted', '-30', '1320', null],
      ['GrantIssued', '50', '1350', null],
      ['GrantIssued', '100', '1300', null],
      ['GrantIssued', '200', '1200', null],
      ['GrantIssued', '1000', '1000', null],
    ]);
    const times = page.transactions.map((t) => Date.parse(t.timestamp));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(page.transactions.find((t) => t.event === 'UsageDeducted')).toMatchObject({ type: 'deduction', resource: { projectId: 'p1', sessionId: 's1' } });
  });

  it('pages by cursor through exactly the same transactions', async () => {
    const all = (await credits('&limit=200')).transactions.map((t) => t.id);
    const seen: string[] = [];
    const pageSizes: number[] = [];
    let cursor: string | null = null;
    do {
      const page: CreditsPage = await credits(`&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.transactions.map((t) => t.id));
      pageSizes.push(page.transactions.length);
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(pageSizes).toEqual([3, 3, 3, 1]);
    expect(seen).toEqual(all);
  });

  it('filters by type, by project and by date', async () => {
    const events = async (query: string) => (await credits(`&limit=200${query}`)).transactions.map((t) => `${t.event} ${t.amount}`);
    expect(await events('&type=deduction')).toEqual(['HoldCaptured -15', 'UsageDeducted -50', 'UsageDeducted -40', 'UsageDeducted -30']);
    expect(await events('&type=grant')).toEqual(['GrantIssued 50', 'GrantIssued 100', 'GrantIssued 200', 'GrantIssued 1000']);
    expect(await events('&projectId=p1')).toEqual(['UsageDeducted -50', 'UsageDeducted -30']);
    expect(await events('&projectId=p2&type=hold')).toEqual([expect.stringMatching(/^HoldPlaced /)]);
    expect(await events(`&from=${split}`)).toEqual(['RefundIssued 10', 'HoldCaptured -15', expect.stringMatching(/^HoldPlaced /), 'UsageDeducted -50']);
    expect(await events(`&to=${split}&type=deduction`)).toEqual(['UsageDeducted -40', 'UsageDeducted -30']);
    expect(await events(`&from=${split}&to=${new Date(Date.now() + 60_000).toISOString()}&projectId=p1`)).toEqual(['UsageDeducted -50']);
  });

  it('answers 400 naming the field of a bad query', async () => {
    const bad = async (query: string) => ledger.get<{ error: string; issues: Array<{ field: string }> }>(`/api/billing/credits?${query}`);
    const tooMany = await bad('accountId=acct&limit=1000');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.issues.map((i) => i.field)).toEqual(['limit']);
    expect((await bad('accountId=acct&type=bogus')).body.issues.map((i) => i.field)).toEqual(['type']);
    expect((await bad('accountId=acct&from=yesterday')).body.issues.map((i) => i.field)).toEqual(['from']);
    expect((await bad('accountId=acct&cursor=abc')).body.issues.map((i) => i.field)).toEqual(['cursor']);
    expect(new Set((await bad('limit=5')).body.issues.map((i) => i.field))).toEqual(new Set(['accountId']));
    expect((await bad('accountId=acct&colour=red')).status).toBe(400);
  });
});
