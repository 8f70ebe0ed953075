import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { testDatabaseUrl, testNatsUrl } from '@credence/testing';
import {
  CATALOG_PACK_OFFER_SUBJECT,
  CATALOG_PRICE_CHANGE_SUBJECT,
  CATALOG_PUBLISHED_SUBJECT,
  subject,
  type CatalogPublishedEvent,
  type PackOfferReply,
  type QuoteReply,
} from '@credence/contracts';
import { CatalogDeployment, REPO_ROOT, seedCatalog } from '../testing/catalog-process.js';

let d: CatalogDeployment;

beforeAll(async () => {
  d = await CatalogDeployment.create('catalog');
  // The default CATALOG_DEFAULT (deploy/catalogs/wazion.json) is loaded at boot into the empty schema.
  await d.start();
});

afterAll(async () => {
  await d?.close();
});

type Priced = Extract<QuoteReply, { status: 'priced' }>;
const quote = async (body: unknown) => {
  const r = await d.call<Priced>('POST', '/api/catalog/quote', body);
  expect(r.status).toBe(200);
  return r.body;
};
const gpt41 = { kind: 'tokens', model: 'gpt-4.1', inputTokens: '500', outputTokens: '1500' };

/** Every message of the CATALOG stream, in stream order, with its Nats-Msg-Id. */
async function streamed(): Promise<{ subject: string; msgId: string | undefined; event: CatalogPublishedEvent }[]> {
  const info = await d.jsm.streams.info(d.eventStream);
  const out = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await d.jsm.streams.getMessage(d.eventStream, { seq });
    if (m) out.push({ subject: m.subject, msgId: m.header.get('Nats-Msg-Id') || undefined, event: m.json<CatalogPublishedEvent>() });
  }
  return out;
}

describe('catalog service', () => {
  it('loads the default catalog at boot into an empty schema and announces it', async () => {
    const list = await d.call<{ defaultCatalogId: string; catalogs: { catalogId: string; revision: number }[] }>('GET', '/api/catalog/catalogs');
    expect(list.body).toMatchObject({ defaultCatalogId: 'wazion', catalogs: [{ catalogId: 'wazion', revision: 1 }] });
    const messages = await streamed();
    expect(messages[0]).toMatchObject({ subject: subject(d.ns, CATALOG_PUBLISHED_SUBJECT), msgId: 'wazion#1', event: { catalogId: 'wazion', revision: 1 } });
  });

  it.each(['wazion', 'nanoclip', 'iafactory', 'token-packs'])('loads the %s seed catalog over HTTP as its next revision', async (name) => {
    const r = await d.call<{ status: string; catalogId: string; revision: number }>('POST', '/api/catalog/catalogs', seedCatalog(name));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'loaded', catalogId: name, revision: name === 'wazion' ? 2 : 1 });
  });

  it('announces every revision on the CATALOG stream with Nats-Msg-Id <catalogId>#<revision>', async () => {
    const ids = (await streamed()).map((m) => m.msgId);
    expect(ids).toEqual(expect.arrayContaining(['wazion#1', 'wazion#2', 'nanoclip#1', 'iafactory#1', 'token-packs#1']));
  });

  it('answers a bad document with 400 and every issue by path and rule, storing nothing', async () => {
    const bad = { ...seedCatalog('nanoclip'), currencies: [{ code: 'eur', minorDigits: 9 }], plans: 'none' };
    const r = await d.call<{ error: string; issues: { path: string; rule: string }[] }>('POST', '/api/catalog/catalogs', bad);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_catalog');
    expect(r.body.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['$.currencies[0].code', '$.currencies[0].minorDigits', '$.plans']));
    expect(r.body.issues.every((i) => typeof i.rule === 'string' && i.rule.length > 0)).toBe(true);
    const list = await d.call<{ catalogs: { catalogId: string; revision: number }[] }>('GET', '/api/catalog/catalogs');
    expect(list.body.catalogs.find((c) => c.catalogId === 'nanoclip')?.revision).toBe(1);
  });

  it('shows a catalog with its pack views computed (WAzion 0.029 / 0.024 -17% / 0.020 -31% EUR per 1K)', async () => {
    const r = await d.call<{ revision: number; packViews: Record<string, { perThousand: string; savingPercent: string }[]> }>('GET', '/api/catalog/catalogs/wazion');
    expect(r.status).toBe(200);
    expect(r.body.revision).toBe(2);
    expect(r.body.packViews['EUR']?.map((p) => [p.perThousand, p.savingPercent])).toEqual([
      ['0.029', '0'],
      ['0.024', '17'],
      ['0.020', '31'],
    ]);
    expect((await d.call('GET', '/api/catalog/catalogs/nobody')).status).toBe(404);
  });

  it('quotes WAzion features within the page ranges (default catalog): translation 300-800, 505 characters = 301', async () => {
    const translation = (textChars: string) => ({ usage: { kind: 'feature', feature: 'message-translation', dimensions: { textChars } } });
    expect((await quote(translation('0'))).credits).toBe('300');
    expect(await quote(translation('505'))).toMatchObject({ catalogId: 'wazion', credits: '301', exact: '601/2', rateCardId: 'wazion' });
    expect((await quote(translation('1000000'))).credits).toBe('800');
  });

  it('quotes IAFactory gpt-4.1 500 + 1,500 tokens at 1,625 credits with the version id, over HTTP and over NATS', async () => {
    const body = { catalogId: 'iafactory', at: '2026-03-15T00:00:00Z', usage: gpt41 };
    const expected = { status: 'priced', catalogId: 'iafactory', credits: '1625', rateCardId: 'iafactory-api', versionId: 'iafactory-api-2025-01' };
    const http = await quote(body);
    expect(http).toMatchObject(expected);
    expect(http.breakdown).toEqual([
      { item: 'gpt-4.1 input tokens', credits: '125' },
      { item: 'gpt-4.1 output tokens', credits: '1500' },
    ]);
    expect(await d.requestQuote(body)).toEqual(http);
  });

  it('quotes NanoClip over NATS with a plan, and refuses what the card does not price', async () => {
    const video = (durationS: string) => ({ catalogId: 'nanoclip', planId: 'church', usage: { kind: 'feature', feature: 'video-render', dimensions: { durationS, aspect: '9:16', resolution: '4k' } } });
    expect(await d.requestQuote(video('15'))).toMatchObject({ status: 'priced', credits: '4' });
    expect(await d.requestQuote(video('20'))).toMatchObject({ status: 'refused', reason: 'DIMENSION_OUT_OF_RANGE' });
    expect(await d.requestQuote({ usage: { kind: 'minutes' } })).toMatchObject({ status: 'invalid', issues: [{ field: 'usage.kind', rule: 'isIn' }] });
    const http = await d.call('POST', '/api/catalog/quote', { catalogId: 'nanoclip', usage: { kind: 'units', unit: 'nothing', count: '1' } });
    expect(http).toMatchObject({ status: 422, body: { reason: 'UNKNOWN_UNIT' } });
    expect((await d.call('POST', '/api/catalog/quote', { catalogId: 'nobody', usage: gpt41 })).status).toBe(404);
  });

  it("answers pack offers over NATS by the plan's own rule: the token-pack free plan buys nothing, WAzion's free tier does", async () => {
    const offer = async (body: unknown) => {
      const msg = await d.nc.request(subject(d.ns, CATALOG_PACK_OFFER_SUBJECT), JSON.stringify(body), { timeout: 10_000 });
      return msg.json<PackOfferReply>();
    };
    expect(await offer({ catalogId: 'token-packs', planId: 'free', packId: 'starter' })).toMatchObject({ status: 'refused', reason: 'plan_cannot_purchase' });
    expect(await offer({ catalogId: 'wazion', planId: 'free', packId: '1m' })).toEqual({
      status: 'offered',
      catalogId: 'wazion',
      revision: 2,
      packId: '1m',
      versionId: expect.any(String) as string,
      credits: '1000000',
      priceMinor: '2900',
      currency: 'EUR',
      defaultMonthlyLimitMinor: '5000',
    });
    expect(await offer({ catalogId: 'iafactory', planId: 'starter', packId: 'payg-1dzd' })).toMatchObject({ status: 'offered', currency: 'DZD', defaultMonthlyLimitMinor: '750000' });
    expect(await offer({ catalogId: 'wazion', planId: 'free', packId: '1m', currency: 'DZD' })).toMatchObject({ status: 'refused', reason: 'no_price_in_currency' });
    expect(await offer({ catalogId: 'nobody', planId: 'free', packId: '1m' })).toMatchObject({ status: 'refused', reason: 'unknown_catalog' });
    expect(await offer({ catalogId: 'wazion', planId: 'free' })).toMatchObject({ status: 'invalid', issues: expect.arrayContaining([expect.objectContaining({ field: 'packId', rule: 'isString' })]) as unknown });
  });

  it('after a price change, prices earlier usage with the old version and later usage with the new one', async () => {
    const doc = seedCatalog('iafactory') as { rateCards: { versions: Record<string, unknown>[] }[] };
    const card = doc.rateCards[0]! as { id: string; versions: Record<string, unknown>[] };
    const old = card.versions[0]!;
    const doubled = (old['tokens'] as { model: string; inputPerMillion: string; outputPerMillion: string }[]).map((t) => ({
      ...t,
      inputPerMillion: String(BigInt(t.inputPerMillion) * 2n),
      outputPerMillion: String(BigInt(t.outputPerMillion) * 2n),
    }));
    card.versions.push({ ...old, versionId: 'iafactory-api-2030-01', effectiveAt: '2030-01-01T00:00:00Z', tokens: doubled });
    const loaded = await d.call('POST', '/api/catalog/catalogs', doc);
    expect(loaded).toMatchObject({ status: 201, body: { catalogId: 'iafactory', revision: 2 } });

    const at = (time: string) => ({ catalogId: 'iafactory', at: time, usage: gpt41 });
    expect(await quote(at('2029-12-31T23:59:59Z'))).toMatchObject({ revision: 2, credits: '1625', versionId: 'iafactory-api-2025-01' });
    expect(await quote(at('2030-01-01T00:00:00Z'))).toMatchObject({ revision: 2, credits: '3250', versionId: 'iafactory-api-2030-01' });
    expect(await d.requestQuote(at('2031-06-01T00:00:00Z'))).toMatchObject({ credits: '3250', versionId: 'iafactory-api-2030-01' });
    const messages = await streamed();
    expect(messages.map((m) => m.msgId)).toContain('iafactory#2');
    // The new version takes effect later: announced once, for the notifier to tell the accounts on it.
    const announced = messages.filter((m) => m.subject === subject(d.ns, CATALOG_PRICE_CHANGE_SUBJECT));
    expect(announced).toEqual([
      {
        subject: subject(d.ns, CATALOG_PRICE_CHANGE_SUBJECT),
        msgId: 'iafactory#2#announced',
        event: expect.objectContaining({
          catalogId: 'iafactory',
          revision: 2,
          changes: [{ kind: 'rate_card', id: card.id, versionId: 'iafactory-api-2030-01', effectiveAt: '2030-01-01T00:00:00.000Z' }],
        }) as unknown,
      },
    ]);
  });

  it('refuses a revision that rewrites a version already in force (409), keeping the stored one', async () => {
    const doc = seedCatalog('iafactory') as { rateCards: { versions: { tokens: { inputPerMillion: string }[] }[] }[] };
    doc.rateCards[0]!.versions[0]!.tokens[0]!.inputPerMillion = '1';
    const r = await d.call<{ error: string; issues: { path: string }[] }>('POST', '/api/catalog/catalogs', doc);
    expect(r.status).toBe(409);
    expect(r.body.issues.map((i) => i.path)).toContain('$.rateCards[iafactory-api].versions[iafactory-api-2025-01]');
    expect((await quote({ catalogId: 'iafactory', at: '2026-03-15T00:00:00Z', usage: gpt41 })).credits).toBe('1625');
  });

  it('simulates a monthly mix and returns the cheapest plan (10 HD videos of 15 s: NanoClip Church at 29 EUR)', async () => {
    const mix = [{ usage: { kind: 'feature', feature: 'video-render', dimensions: { durationS: '15', aspect: '16:9', resolution: 'hd' } }, count: '10' }];
    const r = await d.call<{ status: string; simulation: { cheapest: Record<string, unknown>; quotes: unknown[] } }>('POST', '/api/catalog/simulate', {
      catalogId: 'nanoclip',
      currency: 'EUR',
      mix,
    });
    expect(r.status).toBe(200);
    expect(r.body.simulation.cheapest).toMatchObject({ planId: 'church', extraCredits: '0', totalMinor: '2900' });
    expect(r.body.simulation.quotes).toHaveLength(2);
    expect((await d.call('POST', '/api/catalog/simulate', { catalogId: 'nanoclip', currency: 'USD', mix })).body).toMatchObject({ reason: 'UNKNOWN_CURRENCY' });
  });

  it('loads a revision with the CLI, which the running service picks up from catalog.v1.catalog.published', async () => {
    const tokens = { catalogId: 'token-packs', at: '2026-03-15T00:00:00Z', usage: { kind: 'tokens', model: 'default', inputTokens: '1000', outputTokens: '1000' } };
    // Cached at revision 1 by this quote.
    expect(await quote(tokens)).toMatchObject({ revision: 1 });
    const doc = seedCatalog('token-packs') as { notes: string[] };
    doc.notes = [...doc.notes, 'revision loaded by the CLI'];
    const file = join(tmpdir(), `${d.prefix}-token-packs.json`);
    await writeFile(file, JSON.stringify(doc));
    const { stdout } = await promisify(execFile)(`${REPO_ROOT}node_modules/.bin/node`, [`${REPO_ROOT}dist/apps/catalog/src/cli.js`, 'load', file], {
      env: { ...process.env, DATABASE_URL: testDatabaseUrl(), NATS_URL: testNatsUrl(), CATALOG_SCHEMA: d.schema.schema, NATS_PREFIX: d.prefix, OTEL_SDK_DISABLED: 'true' },
    });
    expect(stdout).toContain('loaded token-packs revision 2');
    for (let i = 0; i < 50 && (await quote(tokens)).revision !== 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await quote(tokens)).toMatchObject({ revision: 2 });
  });
});
