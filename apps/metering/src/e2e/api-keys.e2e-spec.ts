import { readFileSync } from 'node:fs';
import { waitFor } from '@credence/testing';
import { MeteringStack, STACK_AUTH_CACHE_MS } from '../testing/metering-process.js';

let s: MeteringStack;

const images = (count: number) => ({ kind: 'units', unit: 'image', count: String(count) });
const rateCard = { versionId: 'krc-v1', effectiveAt: '2025-01-01T00:00:00Z', units: [{ unit: 'image', credits: '100' }], features: [] };
const catalog = {
  id: 'keyco',
  name: 'Keys test',
  creditUnit: 'one credit',
  currencies: [{ code: 'EUR', minorDigits: 2 }],
  notes: [],
  plans: [
    {
      id: 'open',
      name: 'Open',
      versions: [
        { versionId: 'open-1', effectiveAt: '2025-01-01T00:00:00Z', prices: { EUR: '1000' }, allocationCredits: '1000', rollover: 'none', fairUse: {}, features: 'all', models: 'all', packs: 'all', rateCardId: 'krc' },
      ],
    },
  ],
  packs: [],
  rateCards: [{ id: 'krc', name: 'Key rates', versions: [rateCard] }],
};

type Created = { id: string; key: string; scope: unknown; label: string };

const createKey = async (scope: unknown, label = 'test'): Promise<Created> => {
  const r = await s.call<Created>('POST', '/v1/admin/api-keys', { scope, label });
  expect(r.status).toBe(201);
  return r.body;
};
const credits = (key: string | undefined, accountId: string) =>
  s.callAs(key, 'GET', `/api/billing/credits?accountId=${encodeURIComponent(accountId)}`, undefined, s.ledgerProcess.url);

let keyA: Created;

beforeAll(async () => {
  s = await MeteringStack.create('apikeys');
  expect((await s.catalog.call('POST', '/api/catalog/catalogs', catalog)).status).toBe(201);
  for (const account of ['acct-a', 'acct-b']) {
    expect((await s.call('PUT', `/v1/accounts/${account}/subscription`, { catalogId: 'keyco', planId: 'open' })).status).toBe(200);
    await s.grant(account, 'g1', '10000');
  }
  keyA = await createKey({ kind: 'accounts', accountIds: ['acct-a'] });
}, 90_000);

afterAll(async () => {
  await s?.close();
});

describe('API keys: who may call', () => {
  it('given no key or a bad key, then metering, the ledger and the catalog answer 401 with the same body', async () => {
    const body = { key: 'x1', accountId: 'acct-a', estimate: images(1) };
    const wrongSecret = `${keyA.key.slice(0, -4)}AAAA` === keyA.key ? `${keyA.key.slice(0, -4)}BBBB` : `${keyA.key.slice(0, -4)}AAAA`;
    const answers = [
      await s.callAs(undefined, 'POST', '/v1/authorizations', body),
      await s.callAs('not-a-key', 'POST', '/v1/authorizations', body),
      await s.callAs(wrongSecret, 'POST', '/v1/authorizations', body),
      await s.callAs(`cred_${'a'.repeat(12)}_${'b'.repeat(43)}`, 'POST', '/v1/authorizations', body),
      await credits(undefined, 'acct-a'),
      await credits(wrongSecret, 'acct-a'),
      await s.callAs(undefined, 'GET', '/api/catalog/catalogs', undefined, s.catalog.url),
    ];
    for (const a of answers) expect(a).toEqual({ status: 401, body: { error: 'unauthorized' } });
    expect((await s.callAs(undefined, 'GET', '/health')).status).toBe(200);
  });

  it('given a key for account A, then it authorizes, settles, reports, refunds and reads for A', async () => {
    const auth = await s.callAs<{ holdId: string }>(keyA.key, 'POST', '/v1/authorizations', { key: 'a1', accountId: 'acct-a', estimate: images(1) });
    expect(auth).toMatchObject({ status: 200, body: { status: 'approved', holdId: 'acct-a:a1' } });
    const settled = await s.callAs(keyA.key, 'POST', '/v1/authorizations/acct-a%3Aa1/settle', { outcome: 'succeeded', usage: images(1) });
    expect(settled).toMatchObject({ status: 200, body: { status: 'settled', credits: '100' } });
    expect(await s.callAs(keyA.key, 'POST', '/v1/usage', { key: 'u1', accountId: 'acct-a', usage: images(2) })).toMatchObject({ status: 200 });
    expect(await s.callAs(keyA.key, 'POST', '/v1/refunds', { key: 'r1', accountId: 'acct-a', chargeId: 'u1', amount: '100' })).toMatchObject({
      status: 200,
      body: { status: 'refunded' },
    });
    const read = await credits(keyA.key, 'acct-a');
    expect(read).toMatchObject({ status: 200, body: { balance: { total: '9800' } } });
    expect((await s.callAs(keyA.key, 'GET', '/api/catalog/catalogs/keyco', undefined, s.catalog.url)).status).toBe(200);
    expect(await s.callAs(keyA.key, 'GET', '/v1/accounts/acct-a/subscription')).toEqual({
      status: 200,
      body: { accountId: 'acct-a', catalogId: 'keyco', planId: 'open' },
    });
  });

  it('given a key for account A, then everything for account B is 403 and nothing happens to B', async () => {
    const forbidden = { status: 403, body: { error: 'forbidden' } };
    expect(await s.callAs(keyA.key, 'POST', '/v1/authorizations', { key: 'b1', accountId: 'acct-b', estimate: images(1) })).toEqual(forbidden);
    expect(await s.callAs(keyA.key, 'POST', '/v1/usage', { key: 'b1', accountId: 'acct-b', usage: images(1) })).toEqual(forbidden);
    expect(
      await s.callAs(keyA.key, 'POST', '/v1/usage', { events: [{ key: 'b2', accountId: 'acct-a', usage: images(1) }, { key: 'b2', accountId: 'acct-b', usage: images(1) }] }),
    ).toEqual(forbidden);
    expect(await s.callAs(keyA.key, 'POST', '/v1/refunds', { key: 'b1', accountId: 'acct-b', chargeId: 'g1', amount: '1' })).toEqual(forbidden);
    expect(await credits(keyA.key, 'acct-b')).toEqual(forbidden);
    expect(await s.callAs(keyA.key, 'GET', '/v1/accounts/acct-b/subscription')).toEqual(forbidden);
    expect(await s.balance('acct-b')).toMatchObject({ total: '10000', held: '0' });
    expect((await s.query<{ n: string }>(`select count(*)::text as n from usage_records where key = 'b2'`))[0]?.n).toBe('0');
  });

  it('given an admin key, then it reads any subscription, and an account without one is 404', async () => {
    expect(await s.call('GET', '/v1/accounts/acct-b/subscription')).toMatchObject({ status: 200, body: { planId: 'open' } });
    expect((await s.call('GET', '/v1/accounts/acct-none/subscription')).status).toBe(404);
  });

  it('given another account, then the answer never tells whether it exists', async () => {
    const existing = await credits(keyA.key, 'acct-b');
    const missing = await credits(keyA.key, 'no-such-account');
    expect(missing).toEqual(existing);
    // A hold of another account answers like a hold that does not exist.
    expect((await s.call('POST', '/v1/authorizations', { key: 'hb', accountId: 'acct-b', estimate: images(1) })).status).toBe(200);
    const theirs = await s.callAs(keyA.key, 'POST', '/v1/authorizations/acct-b%3Ahb/settle', { outcome: 'failed' });
    const nobody = await s.callAs(keyA.key, 'POST', '/v1/authorizations/acct-b%3Anone/settle', { outcome: 'failed' });
    expect(theirs.status).toBe(404);
    expect(JSON.stringify(theirs.body).replace('acct-b:hb', 'H')).toBe(JSON.stringify(nobody.body).replace('acct-b:none', 'H'));
    expect(await s.balance('acct-b')).toMatchObject({ held: '100' });
  });

  it('given a tenant key, then it covers `<tenant>:` accounts only', async () => {
    const tenant = await createKey({ kind: 'tenant', tenant: 'acme' });
    expect((await credits(tenant.key, 'acme:1')).status).toBe(200);
    expect((await credits(tenant.key, 'acmeco:1')).status).toBe(403);
  });

  it('given a workload key, then admin routes refuse it with 403', async () => {
    const forbidden = { status: 403, body: { error: 'forbidden' } };
    expect(await s.callAs(keyA.key, 'GET', '/v1/admin/api-keys')).toEqual(forbidden);
    expect(await s.callAs(keyA.key, 'POST', '/v1/admin/api-keys', { scope: { kind: 'admin' } })).toEqual(forbidden);
    expect(await s.callAs(keyA.key, 'DELETE', `/v1/admin/api-keys/${keyA.id}`)).toEqual(forbidden);
    expect(await s.callAs(keyA.key, 'PUT', '/v1/accounts/acct-a/subscription', { catalogId: 'keyco', planId: 'open' })).toEqual(forbidden);
    expect(await s.callAs(keyA.key, 'PUT', '/v1/accounts/acct-a/limit-overrides', {})).toEqual(forbidden);
    expect(await s.callAs(keyA.key, 'POST', '/api/ledger/grants', { key: 'g9', accountId: 'acct-a', source: 'purchase', amount: '1' }, s.ledgerProcess.url)).toEqual(forbidden);
    expect(await s.callAs(keyA.key, 'POST', '/api/catalog/catalogs', catalog, s.catalog.url)).toEqual(forbidden);
  });

  it('given a created key, then the listing shows it without any secret and the hash is stored, not the key', async () => {
    const list = await s.call<{ keys: Record<string, unknown>[] }>('GET', '/v1/admin/api-keys');
    expect(list.status).toBe(200);
    const shown = list.body.keys.find((k) => k['id'] === keyA.id);
    expect(Object.keys(shown ?? {}).sort()).toEqual(['createdAt', 'id', 'label', 'revokedAt', 'scope']);
    expect(shown).toMatchObject({ id: keyA.id, scope: keyA.scope, label: 'test', revokedAt: null });
    expect(JSON.stringify(list.body)).not.toContain(keyA.key.split('_')[2]);
    const [row] = await s.query<{ hash: Buffer }>('select hash from api_keys where id = $1', [keyA.id]);
    expect(row?.hash.length).toBe(32);
    expect(row?.hash.toString('utf8')).not.toContain(keyA.key.split('_')[2]);
  });

  it('given a revoked key, then it stops working everywhere within the cache bound', async () => {
    const k = await createKey({ kind: 'accounts', accountIds: ['acct-a'] });
    expect((await credits(k.key, 'acct-a')).status).toBe(200);
    const revokedAt = Date.now();
    const revoked = await s.call<{ id: string; revokedAt: string | null }>('DELETE', `/v1/admin/api-keys/${k.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    // Metering forgets at once; the ledger within its cache bound.
    expect((await s.callAs(k.key, 'POST', '/v1/usage', { key: 'rv', accountId: 'acct-a', usage: images(1) })).status).toBe(401);
    await waitFor(async () => (await credits(k.key, 'acct-a')).status === 401, { what: 'the ledger refuses the revoked key', timeoutMs: STACK_AUTH_CACHE_MS * 3 });
    expect(Date.now() - revokedAt).toBeLessThan(STACK_AUTH_CACHE_MS * 3);
    expect((await s.call('DELETE', '/v1/admin/api-keys/nosuchkey234')).status).toBe(404);
  });
});

describe('OpenAPI documents', () => {
  it('given each running service, then it serves, without a key, the document kept in docs/api and a browsable UI', async () => {
    const services = { ledger: s.ledgerProcess.url, catalog: s.catalog.url, metering: s.url };
    for (const [name, url] of Object.entries(services)) {
      const committed: unknown = JSON.parse(readFileSync(new URL(`../../../../docs/api/${name}.openapi.json`, import.meta.url), 'utf8'));
      const json = await fetch(`${url}/api/docs/openapi.json`);
      expect(json.status).toBe(200);
      expect(await json.json()).toEqual(committed);
      const ui = await fetch(`${url}/api/docs`);
      expect(ui.status).toBe(200);
      expect(ui.headers.get('content-type')).toMatch(/text\/html/);
      // The UI's assets come from the installed package, not from the internet.
      const html = await ui.text();
      expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[^"']*\.(js|css)/);
      const yaml = await fetch(`${url}/api/docs/openapi.yaml`);
      expect(yaml.status).toBe(200);
      expect(await yaml.text()).toContain(`title: Credence ${name}`);
    }
  });
});
