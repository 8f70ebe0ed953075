import { readFileSync } from 'node:fs';
import type { Catalog, Usage } from './model.js';
import { parseCatalog } from './json.js';
import { packView } from './packs.js';
import { packOffer } from './offer.js';
import { canBuyPack, rollover } from './plans.js';
import { priceUsage } from './pricing.js';
import { simulate } from './simulate.js';
import { versionAt } from './versions.js';

const AT = Date.UTC(2026, 2, 15);

function load(name: string): Catalog {
  const parsed = parseCatalog(JSON.parse(readFileSync(new URL(`../../../../deploy/catalogs/${name}.json`, import.meta.url), 'utf8')));
  if (!parsed.ok) throw new Error(`${name}: ${JSON.stringify(parsed.issues)}`);
  return parsed.value;
}

const plan = (c: Catalog, id: string) => {
  const v = versionAt(c.plans.find((p) => p.id === id)?.versions ?? [], AT);
  if (!v) throw new Error(`no plan ${id}`);
  return v;
};

const credits = (c: Catalog, usage: Usage): bigint => {
  const card = c.rateCards[0];
  if (!card) throw new Error('no rate card');
  const priced = priceUsage(card, usage, AT);
  if (!priced.ok) throw new Error(priced.code);
  return priced.value.credits;
};

const feature = (name: string, dimensions: Record<string, bigint | string>): Usage => ({ kind: 'feature', feature: name, dimensions });

describe('WAzion catalog (seeds/000, "Qu\'est-ce que les crédits de WAzion ?")', () => {
  const c = load('wazion');

  it('gives 1M credits a month for free, which do not accumulate ("1M créditos/mes", "Ils ne s\'accumulent pas")', () => {
    const free = plan(c, 'free');
    expect(free.allocationCredits).toBe(1_000_000n);
    expect(free.prices['EUR']).toBe(0n);
    expect(rollover(free, 400_000n)).toBe(0n);
  });

  it('lets the free tier buy every pack (free credits first, purchased after)', () => {
    for (const p of c.packs) expect(canBuyPack(plan(c, 'free'), p.id)).toBe(true);
  });

  it('shows packs 1M 29€ 0,029€/1K, 5M 120€ 0,024€/1K -17%, 10M 200€ 0,020€/1K -31%', () => {
    const view = packView(c.packs, { code: 'EUR', minorDigits: 2 }, AT);
    expect(view.map((p) => [p.credits, p.priceMinor, p.perThousand, p.savingPercent])).toEqual([
      [1_000_000n, 2900n, '0.029', 0n],
      [5_000_000n, 12000n, '0.024', 17n],
      [10_000_000n, 20000n, '0.020', 31n],
    ]);
  });

  const ranges: [string, string, bigint, bigint, bigint, bigint][] = [
    ['Suggestion de réponse 500 - 2.000 (longueur de l\'historique)', 'reply-suggestion', 0n, 500n, 500n, 2000n],
    ['Traduction de message 300 - 800 (longueur du texte)', 'message-translation', 0n, 1_000_000n, 300n, 800n],
    ['Analyse de sentiment 200 - 500', 'sentiment-analysis', 0n, 10_000n, 200n, 500n],
    ['Résumé de la conversation 500 - 1.500 (nombre de messages)', 'conversation-summary', 0n, 10_000n, 500n, 1500n],
    ['Analytique 300 - 600', 'structured-analytics', 0n, 10_000n, 300n, 600n],
    ['Recherche de produits 100 - 300', 'product-search', 0n, 10_000n, 100n, 300n],
  ];
  it.each(ranges)('prices "%s" within exactly those bounds', (_label, name, low, high, min, max) => {
    const rate = versionAt(c.rateCards[0]?.versions ?? [], AT)?.features.find((f) => f.feature === name);
    const dim = rate?.dimensions[0]?.name ?? '';
    const prices = [low, 1n, 7n, 11n, 26n, 40n, 51n, 501n, 505n, 2000n, 5500n, high].map((v) => credits(c, feature(name, { [dim]: v })));
    expect(prices[0]).toBe(min);
    expect(prices[prices.length - 1]).toBe(max);
    expect(prices.every((p) => p >= min && p <= max)).toBe(true);
  });

  it('rounds a translation of 505 characters up once: 300 + 5/10 = 301', () => {
    expect(credits(c, feature('message-translation', { textChars: 505n }))).toBe(301n);
  });

  it('simulates 3M credits a month on the free tier: 1M free, then 2 × 1M packs at 29€ (58€) beat one 5M pack at 120€', () => {
    const r = simulate(c, { currency: 'EUR', mix: [{ usage: feature('reply-suggestion', { historyMessages: 60n }), count: 1500n }] }, AT);
    if (!r.ok) throw new Error(r.code);
    // 1,500 × 2,000 = 3M; 1M free; 2M extra: 2 × 1M pack = 58 € beats one 5M pack at 120 €.
    expect(r.value.cheapest).toMatchObject({ creditsNeeded: 3_000_000n, allocationUsed: 1_000_000n, extraCredits: 2_000_000n, totalMinor: 5800n });
  });
});

describe('NanoClip catalog (seeds/001, "Barème indicatif par type de création")', () => {
  const c = load('nanoclip');
  const video = (durationS: bigint, resolution = 'hd', aspect = '16:9') => feature('video-render', { durationS, aspect, resolution });

  it('prices a video of 5-15 s, 16:9 or 9:16 at ≈ 2-4 credits per render', () => {
    const all = [5n, 10n, 11n, 15n].flatMap((d) => ['16:9', '9:16'].flatMap((a) => ['hd', '4k'].map((r) => credits(c, video(d, r, a)))));
    expect(Math.min(...all.map(Number))).toBe(2);
    expect(Math.max(...all.map(Number))).toBe(4);
    expect(credits(c, video(5n))).toBe(2n);
    expect(credits(c, video(15n, '4k', '9:16'))).toBe(4n);
  });

  it('refuses a video outside 5-15 s or in another format', () => {
    const card = c.rateCards[0];
    if (!card) throw new Error('no card');
    expect(priceUsage(card, video(20n), AT)).toMatchObject({ ok: false, code: 'DIMENSION_OUT_OF_RANGE' });
    expect(priceUsage(card, video(10n, 'hd', '1:1'), AT)).toMatchObject({ ok: false, code: 'DIMENSION_OUT_OF_RANGE' });
  });

  it('prices an HD image at ≈ 1 credit per render', () => {
    expect(credits(c, { kind: 'units', unit: 'image-hd', count: 1n })).toBe(1n);
  });

  it('prices music of 30-90 s at ≈ 1-3 credits per render', () => {
    expect([30n, 50n, 51n, 70n, 90n].map((d) => credits(c, feature('music', { durationS: d })))).toEqual([1n, 1n, 2n, 2n, 3n]);
  });

  it('prices a mini-book of 10 illustrated pages at ≈ 5-10 credits per lot', () => {
    expect(credits(c, feature('mini-book', { pages: 10n, illustration: 'sketch' }))).toBe(5n);
    expect(credits(c, feature('mini-book', { pages: 10n, illustration: 'colour' }))).toBe(10n);
  });

  it('covers ~10 HD videos a month on Plan Église at 29€/mois, the cheapest plan for it', () => {
    const r = simulate(c, { currency: 'EUR', mix: [{ usage: video(15n), count: 10n }] }, AT);
    if (!r.ok) throw new Error(r.code);
    expect(r.value.cheapest).toMatchObject({ planId: 'church', extraCredits: 0n, totalMinor: 2900n });
  });

  it('covers ~50 creations a month on Plan Réseau at 99€/mois, which Église cannot within its monthly cap', () => {
    const r = simulate(c, { currency: 'EUR', mix: [{ usage: video(15n, '4k'), count: 50n }] }, AT);
    if (!r.ok) throw new Error(r.code);
    expect(r.value.cheapest).toMatchObject({ planId: 'network', creditsNeeded: 200n, extraCredits: 0n, totalMinor: 9900n });
    expect(r.value.quotes.find((q) => q.planId === 'church')?.notCovered).toBe('MONTHLY_CREDIT_LIMIT');
  });

  it('applies daily, monthly and concurrency limits per plan (page §3 "Limites équitables")', () => {
    expect(plan(c, 'church').fairUse).toEqual({ generationsPerDay: 10, creditsPerMonth: 100n, concurrentGenerations: 1 });
    const r = simulate(c, { planId: 'church', currency: 'EUR', days: 1, mix: [{ usage: { kind: 'units', unit: 'image-hd', count: 1n }, count: 11n }] }, AT);
    expect(r.ok && r.value.quotes[0]?.notCovered).toBe('DAILY_GENERATION_LIMIT');
  });
});

describe('IAFactory catalog (seeds/002, "Tarifs IAFactory")', () => {
  const c = load('iafactory');
  // The page: "Coût = (prix input × 0,0005) + (prix output × 0,0015)" for 500 input + 1,500 output tokens.
  const pagePrices: [string, bigint, bigint, string][] = [
    ['gpt-4.1', 250n, 1000n, '1.625'],
    ['gpt-5.2', 500n, 1500n, '2.5'],
    ['claude-sonnet-4.5', 750n, 3750n, '6'],
    ['gemini-3-pro', 312n, 1250n, '2.031'],
    ['mistral-medium', 125n, 375n, '0.625'],
    ['deepseek-v3', 70n, 140n, '0.245'],
  ];
  it.each(pagePrices)('prices 500 input + 1,500 output tokens on %s (%s / %s DZD per 1M) at %s DZD', (model, pin, pout, dzd) => {
    const got = credits(c, { kind: 'tokens', model, inputTokens: 500n, outputTokens: 1500n });
    // The page's formula in millidinars: (pin × 0.0005 + pout × 0.0015) × 1000.
    expect(got).toBe((pin * 5n + pout * 15n) * 1000n / 10_000n);
    expect(Number(got) / 1000).toBe(Number(dzd));
  });

  it('prices images at "nombre d\'images × prix par image": 3 flux-schnell = 24 DZD, 2 stable-diffusion-3.5 = 32 DZD', () => {
    expect(credits(c, { kind: 'units', unit: 'flux-schnell', count: 3n })).toBe(24_000n);
    expect(credits(c, { kind: 'units', unit: 'stable-diffusion-3.5', count: 2n })).toBe(32_000n);
  });

  it('includes 500 / 1 000 / 2 500 DZD of monthly credits in Starter / Standard / Expert', () => {
    expect(['starter', 'standard', 'expert'].map((id) => plan(c, id).allocationCredits)).toEqual([500_000n, 1_000_000n, 2_500_000n]);
  });

  it('rounds a single deepseek-v3 token up once: 1 input + 1 output = 0.21 credit → 1, not 2', () => {
    expect(credits(c, { kind: 'tokens', model: 'deepseek-v3', inputTokens: 1n, outputTokens: 1n })).toBe(1n);
  });

  it('bills usage past the included credits pay-as-you-go: 1,000 gpt-4.1 calls on Starter', () => {
    const r = simulate(c, { planId: 'starter', currency: 'DZD', mix: [{ usage: { kind: 'tokens', model: 'gpt-4.1', inputTokens: 500n, outputTokens: 1500n }, count: 1000n }] }, AT);
    if (!r.ok) throw new Error(r.code);
    // 1,000 × 1.625 DZD = 1,625 DZD; 500 included; 1,125 DZD pay-as-you-go; 500 + 1,125 = 1,625 DZD.
    expect(r.value.quotes[0]).toMatchObject({ creditsNeeded: 1_625_000n, extraCredits: 1_125_000n, totalMinor: 162_500n });
  });
});

describe('Token-pack catalog (seeds/003, "What Are Credits?")', () => {
  const c = load('token-packs');

  it('sells Starter 1,000,000 €5, Standard 2,500,000 €10, Plus 7,000,000 €25, Pro 15,000,000 €50, larger packs cheaper per token', () => {
    const view = packView(c.packs, { code: 'EUR', minorDigits: 2 }, AT, 5);
    expect(view.map((p) => [p.name, p.credits, p.priceMinor, p.perThousand, p.savingPercent])).toEqual([
      ['Starter', 1_000_000n, 500n, '0.00500', 0n],
      ['Standard', 2_500_000n, 1000n, '0.00400', 20n],
      ['Plus', 7_000_000n, 2500n, '0.00357', 28n],
      ['Pro', 15_000_000n, 5000n, '0.00333', 33n],
    ]);
  });

  it('lets no free plan user buy credits ("Free plan users must upgrade to purchase credits")', () => {
    for (const p of c.packs) expect(canBuyPack(plan(c, 'free'), p.id)).toBe(false);
    for (const p of c.packs) expect(canBuyPack(plan(c, 'paid'), p.id)).toBe(true);
  });

  it('reports the free plan as not covering usage past its allocation, and the paid plan with the cheapest packs', () => {
    const r = simulate(c, { currency: 'EUR', mix: [{ usage: { kind: 'tokens', model: 'default', inputTokens: 1000n, outputTokens: 1000n }, count: 5000n }] }, AT);
    if (!r.ok) throw new Error(r.code);
    expect(r.value.quotes.find((q) => q.planId === 'free')?.notCovered).toBe('PACKS_NOT_ALLOWED');
    // 10M tokens: 5M allocation + 5M extra: 2 × Standard (5M, €20) beats Plus (€25) and 5 × Starter (€25).
    expect(r.value.cheapest).toMatchObject({ planId: 'paid', extraCredits: 5_000_000n, packsPriceMinor: 2000n, totalMinor: 3900n });
  });
});

describe('pack offers and the default auto-recharge limit of the seed catalogs (PRODUCT §2, §5)', () => {
  it('refuses a pack to the token-pack free plan ("free plan users must upgrade") and offers it to its paid plan', () => {
    const c = load('token-packs');
    expect(packOffer(c, { planId: 'free', packId: 'starter' }, AT)).toMatchObject({ ok: false, code: 'PLAN_CANNOT_PURCHASE' });
    expect(packOffer(c, { planId: 'paid', packId: 'starter' }, AT)).toEqual({
      ok: true,
      value: { packId: 'starter', versionId: 'starter-2025-01', credits: 1_000_000n, priceMinor: 500n, currency: 'EUR', defaultMonthlyLimitMinor: 5000n },
    });
  });

  it("offers WAzion's packs to its free tier, which buys packs on top of its free credits", () => {
    expect(packOffer(load('wazion'), { planId: 'free', packId: '1m', currency: 'EUR' }, AT)).toMatchObject({ ok: true, value: { credits: 1_000_000n, priceMinor: 2900n } });
  });

  it('states 50 EUR for the EUR catalogs and its DZD equivalent for IAFactory', () => {
    for (const name of ['wazion', 'nanoclip', 'token-packs']) expect(load(name).currencies).toEqual([{ code: 'EUR', minorDigits: 2, autoRechargeMonthlyLimit: 5000n }]);
    expect(packOffer(load('iafactory'), { planId: 'starter', packId: 'payg-1dzd' }, AT)).toMatchObject({
      ok: true,
      value: { currency: 'DZD', priceMinor: 100n, defaultMonthlyLimitMinor: 750_000n },
    });
  });
});
