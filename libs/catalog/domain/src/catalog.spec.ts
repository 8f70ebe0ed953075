import fc from 'fast-check';
import type { Catalog, History, PackVersion, PlanVersion, RateCardVersion, Usage } from './model.js';
import { parseCatalog } from './json.js';
import { packOffer } from './offer.js';
import { packView, type OfferedPack } from './packs.js';
import { canBuyPack, rollover } from './plans.js';
import { priceUsage, priceWith } from './pricing.js';
import { cheapestPacks } from './simulate.js';
import { publish, versionAt } from './versions.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

const card = (versionId: string, effectiveAt: number, inputPerMillion: bigint, outputPerMillion: bigint): RateCardVersion => ({
  versionId,
  effectiveAt,
  tokens: [{ model: 'm', inputPerMillion, outputPerMillion }],
  units: [{ unit: 'img', credits: 8n }],
  features: [
    {
      feature: 'f',
      baseCredits: 1n,
      dimensions: [{ kind: 'tiers', name: 'chars', tiers: [{ upTo: 100n, credits: 1n, per: 3n }, { upTo: null, credits: 1n, per: 7n }] }],
    },
  ],
});
const tokens = (inputTokens: bigint, outputTokens: bigint): Usage => ({ kind: 'tokens', model: 'm', inputTokens, outputTokens });

describe('rounding: up once per priced event, never per line', () => {
  it('given 1 input and 1 output token at 70 / 140 per 1M, then 0.00021 credits rounds up to 1 (per line would give 2)', () => {
    const r = priceWith('c', card('v1', T0, 70n, 140n), tokens(1n, 1n));
    expect(r).toMatchObject({ ok: true, value: { credits: 1n, exact: { num: 21n, den: 100_000n } } });
  });

  it('given a feature whose tiers give 100/3 + 1/7, then the exact sum 1 + 703/21 ≈ 34.48 is rounded once to 35 (per line: 1 + 34 + 1 = 36)', () => {
    const r = priceWith('c', card('v1', T0, 1n, 1n), { kind: 'feature', feature: 'f', dimensions: { chars: 101n } });
    expect(r).toMatchObject({ ok: true, value: { credits: 35n } });
  });

  it('refuses unknown models, units, features and missing or out-of-range dimensions with codes', () => {
    const v = card('v1', T0, 1n, 1n);
    expect(priceWith('c', v, { kind: 'tokens', model: 'x', inputTokens: 1n, outputTokens: 1n })).toMatchObject({ ok: false, code: 'UNKNOWN_MODEL' });
    expect(priceWith('c', v, { kind: 'units', unit: 'x', count: 1n })).toMatchObject({ ok: false, code: 'UNKNOWN_UNIT' });
    expect(priceWith('c', v, { kind: 'feature', feature: 'x', dimensions: {} })).toMatchObject({ ok: false, code: 'UNKNOWN_FEATURE' });
    expect(priceWith('c', v, { kind: 'feature', feature: 'f', dimensions: {} })).toMatchObject({ ok: false, code: 'MISSING_DIMENSION' });
    expect(priceWith('c', v, { kind: 'feature', feature: 'f', dimensions: { chars: 'many' } })).toMatchObject({ ok: false, code: 'DIMENSION_OUT_OF_RANGE' });
    expect(priceWith('c', v, tokens(-1n, 0n))).toMatchObject({ ok: false, code: 'INVALID_USAGE' });
  });
});

describe('versions', () => {
  const history: History<RateCardVersion> = { id: 'c', name: 'c', versions: [card('v1', T0, 100n, 100n), card('v2', T0 + 10 * DAY, 200n, 200n)] };

  it('picks the latest version whose effectiveAt ≤ t, and carries its id with the price', () => {
    expect(versionAt(history.versions, T0 - 1)).toBeUndefined();
    expect(versionAt(history.versions, T0)?.versionId).toBe('v1');
    expect(versionAt(history.versions, T0 + 10 * DAY - 1)?.versionId).toBe('v1');
    expect(versionAt(history.versions, T0 + 10 * DAY)?.versionId).toBe('v2');
    expect(priceUsage(history, tokens(1_000_000n, 0n), T0 + DAY)).toMatchObject({ ok: true, value: { credits: 100n, versionId: 'v1', rateCardId: 'c' } });
    expect(priceUsage(history, tokens(1_000_000n, 0n), T0 + 20 * DAY)).toMatchObject({ ok: true, value: { credits: 200n, versionId: 'v2' } });
    expect(priceUsage(history, tokens(1n, 0n), T0 - DAY)).toMatchObject({ ok: false, code: 'NO_VERSION_IN_FORCE' });
  });

  it('publishes by appending: the old list is untouched, usage before the new date keeps its price', () => {
    const before = [...history.versions];
    const r = publish(history.versions, card('v3', T0 + 30 * DAY, 300n, 300n), T0 + 20 * DAY);
    expect(r.ok && r.value.map((v) => v.versionId)).toEqual(['v1', 'v2', 'v3']);
    expect(history.versions).toEqual(before);
    if (r.ok) expect(versionAt(r.value, T0 + 25 * DAY)?.versionId).toBe('v2');
  });

  it('refuses a duplicate id, a retroactive version, and one not after the latest', () => {
    expect(publish(history.versions, card('v2', T0 + 40 * DAY, 1n, 1n), T0)).toMatchObject({ ok: false, code: 'DUPLICATE_VERSION' });
    expect(publish(history.versions, card('v9', T0 + 12 * DAY, 1n, 1n), T0 + 15 * DAY)).toMatchObject({ ok: false, code: 'RETROACTIVE_VERSION' });
    expect(publish(history.versions, card('v9', T0 + 5 * DAY, 1n, 1n), T0)).toMatchObject({ ok: false, code: 'NOT_AFTER_LATEST' });
  });
});

const pack = (id: string, credits: bigint, eur: bigint): History<PackVersion> => ({
  id,
  name: id,
  versions: [{ versionId: `${id}-v1`, effectiveAt: T0, credits, prices: { EUR: eur } }],
});

describe('packs', () => {
  it('computes per-1K price (half up for display) and saving against the smallest pack (rounded down)', () => {
    const view = packView([pack('b', 3_000n, 2_000n), pack('a', 1_000n, 1_000n)], { code: 'EUR', minorDigits: 2 }, T0);
    // b: 666.66… minor per 1K = 6.667 EUR; saving 1 - 0.666… = 33.3 % → 33.
    expect(view.map((p) => [p.packId, p.perThousand, p.savingPercent])).toEqual([
      ['a', '10.000', 0n],
      ['b', '6.667', 33n],
    ]);
    expect(view[1]?.perThousandMinor).toEqual({ num: 2000n, den: 3n });
  });

  it('offers only packs with a price in the currency and a version in force', () => {
    expect(packView([pack('a', 1n, 1n)], { code: 'DZD', minorDigits: 2 }, T0)).toEqual([]);
    expect(packView([pack('a', 1n, 1n)], { code: 'EUR', minorDigits: 2 }, T0 - 1)).toEqual([]);
  });
});

describe('plans', () => {
  const plan = (over: Partial<PlanVersion>): PlanVersion => ({
    versionId: 'p1',
    effectiveAt: T0,
    prices: { EUR: 0n },
    allocationCredits: 100n,
    rollover: { kind: 'none' },
    fairUse: {},
    features: 'all',
    models: 'all',
    packs: { kind: 'all' },
    rateCardId: 'c',
    ...over,
  });

  it('buys packs by the plan\'s rule: none, all, or only the listed ones', () => {
    expect(canBuyPack(plan({ packs: { kind: 'none' } }), 'a')).toBe(false);
    expect(canBuyPack(plan({ packs: { kind: 'all' } }), 'a')).toBe(true);
    expect(canBuyPack(plan({ packs: { kind: 'only', packIds: ['b'] } }), 'a')).toBe(false);
    expect(canBuyPack(plan({ packs: { kind: 'only', packIds: ['b'] } }), 'b')).toBe(true);
  });

  it('rolls over none, up to a cap, or all of the unused allocation', () => {
    expect(rollover(plan({ rollover: { kind: 'none' } }), 60n)).toBe(0n);
    expect(rollover(plan({ rollover: { kind: 'cap', capCredits: 50n } }), 60n)).toBe(50n);
    expect(rollover(plan({ rollover: { kind: 'cap', capCredits: 50n } }), 40n)).toBe(40n);
    expect(rollover(plan({ rollover: { kind: 'all' } }), 60n)).toBe(60n);
    expect(rollover(plan({ rollover: { kind: 'all' } }), -5n)).toBe(0n);
  });
});

describe('cheapest packs', () => {
  const offered = (credits: bigint, priceMinor: bigint): OfferedPack => ({ packId: `p${credits}`, name: '', versionId: 'v', credits, priceMinor });
  const packs = [offered(3n, 5n), offered(5n, 8n), offered(7n, 10n), offered(2n, 4n)];

  it('matches a brute force over every count up to 30 for every need from 0 to 60', () => {
    for (let need = 0n; need <= 60n; need++) {
      let best = -1n;
      for (let a = 0n; a <= 30n; a++)
        for (let b = 0n; b <= 20n; b++)
          for (let c = 0n; c <= 12n; c++)
            for (let d = 0n; d <= 30n; d++) {
              if (3n * a + 5n * b + 7n * c + 2n * d < need) continue;
              const price = 5n * a + 8n * b + 10n * c + 4n * d;
              if (best < 0n || price < best) best = price;
            }
      const got = cheapestPacks(packs, need);
      expect([need, got?.priceMinor]).toEqual([need, best]);
      expect((got?.packs ?? []).reduce((s, p) => s + p.count * p.pack.credits, 0n)).toBeGreaterThanOrEqual(need);
    }
  });

  it('gives up rather than guesses when the search would be too large', () => {
    expect(cheapestPacks([offered(1_000_003n, 999n), offered(1_000_033n, 1000n), offered(999_983n, 998n), offered(10_000_019n, 9_000n)], 10n ** 12n)).toBeUndefined();
  });
});

describe('catalog JSON', () => {
  it('reports every structural issue with its path and rule', () => {
    const r = parseCatalog({
      id: 'X',
      name: 'x',
      creditUnit: 'c',
      currencies: [{ code: 'EUR', minorDigits: 2 }],
      plans: [{ id: 'p', name: 'p', versions: [{ versionId: 'v', effectiveAt: '2026-01-01', prices: { USD: '1' }, allocationCredits: 1, rollover: 'some', fairUse: {}, features: 'all', models: 'all', packs: ['nope'], rateCardId: 'r' }] }],
      packs: [],
      rateCards: [{ id: 'r', name: 'r', versions: [{ versionId: 'r1', effectiveAt: '2026-01-01T00:00:00Z', features: [{ feature: 'f', baseCredits: '0', dimensions: [{ kind: 'bands', name: 'd', bands: [{ from: '5', to: '3', credits: '1' }] }] }] }] }],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual(
      expect.arrayContaining([
        { path: '$.id', rule: 'must be an id: lowercase letters, digits, . _ -, up to 64' },
        { path: '$.plans[0].versions[0].effectiveAt', rule: 'must be an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SSZ)' },
        { path: '$.plans[0].versions[0].prices.USD', rule: 'currency not declared in $.currencies' },
        { path: '$.plans[0].versions[0].allocationCredits', rule: 'must be a non-negative integer as a decimal string' },
        { path: '$.plans[0].versions[0].rollover', rule: 'must be an object' },
        { path: '$.plans[0].versions[0].packs[0]', rule: 'no pack nope' },
        { path: '$.rateCards[0].versions[0].features[0].dimensions[0].bands[0].to', rule: 'must not be below from' },
      ]),
    );
  });
});

describe('the default monthly auto-recharge limit', () => {
  const doc = (currencies: unknown) => ({ id: 'c', name: 'c', creditUnit: 'c', currencies, plans: [], packs: [], rateCards: [] });

  it('is 50 EUR when a EUR catalog does not say, and what the catalog states otherwise', () => {
    expect(parseCatalog(doc([{ code: 'EUR', minorDigits: 2 }]))).toMatchObject({ ok: true, value: { currencies: [{ code: 'EUR', autoRechargeMonthlyLimit: 5000n }] } });
    expect(parseCatalog(doc([{ code: 'DZD', minorDigits: 2, autoRechargeMonthlyLimit: '750000' }]))).toMatchObject({
      ok: true,
      value: { currencies: [{ code: 'DZD', autoRechargeMonthlyLimit: 750_000n }] },
    });
  });

  it('must be stated, positive, for a currency other than EUR', () => {
    const r = parseCatalog(doc([{ code: 'DZD', minorDigits: 2 }, { code: 'USD', minorDigits: 2, autoRechargeMonthlyLimit: '0' }]));
    expect(r.ok ? [] : r.issues).toEqual([
      { path: '$.currencies[0].autoRechargeMonthlyLimit', rule: expect.stringMatching(/equivalent of 50 EUR/) as string },
      { path: '$.currencies[1].autoRechargeMonthlyLimit', rule: 'must be greater than 0' },
    ]);
  });
});

describe('pack offers', () => {
  const at = T0 + DAY;
  const planVersion = (packs: PlanVersion['packs'], effectiveAt = T0): PlanVersion => ({
    versionId: `p-${effectiveAt}`,
    effectiveAt,
    prices: {},
    allocationCredits: 0n,
    rollover: { kind: 'none' },
    fairUse: {},
    features: 'all',
    models: 'all',
    packs,
    rateCardId: 'r',
  });
  const catalog: Catalog = {
    id: 'c',
    name: 'c',
    creditUnit: 'c',
    currencies: [
      { code: 'EUR', minorDigits: 2, autoRechargeMonthlyLimit: 5000n },
      { code: 'DZD', minorDigits: 2, autoRechargeMonthlyLimit: 750_000n },
    ],
    plans: [
      { id: 'all', name: 'all', versions: [planVersion({ kind: 'all' })] },
      { id: 'none', name: 'none', versions: [planVersion({ kind: 'none' })] },
      { id: 'only-b', name: 'only-b', versions: [planVersion({ kind: 'only', packIds: ['b'] })] },
      { id: 'later', name: 'later', versions: [planVersion({ kind: 'all' }, T0 + 10 * DAY)] },
    ],
    packs: [
      { id: 'a', name: 'a', versions: [{ versionId: 'a1', effectiveAt: T0, credits: 100n, prices: { EUR: 500n } }, { versionId: 'a2', effectiveAt: T0 + 2 * DAY, credits: 100n, prices: { EUR: 600n } }] },
      { id: 'b', name: 'b', versions: [{ versionId: 'b1', effectiveAt: T0, credits: 1000n, prices: { EUR: 4000n, DZD: 600_000n } }] },
    ],
    rateCards: [],
    notes: [],
  };

  it("answers the pack version in force, priced in the catalog's first currency unless another is asked", () => {
    expect(packOffer(catalog, { planId: 'all', packId: 'a' }, at)).toEqual({
      ok: true,
      value: { packId: 'a', versionId: 'a1', credits: 100n, priceMinor: 500n, currency: 'EUR', defaultMonthlyLimitMinor: 5000n },
    });
    expect(packOffer(catalog, { planId: 'all', packId: 'a' }, T0 + 3 * DAY)).toMatchObject({ ok: true, value: { versionId: 'a2', priceMinor: 600n } });
    expect(packOffer(catalog, { planId: 'only-b', packId: 'b', currency: 'DZD' }, at)).toMatchObject({ ok: true, value: { priceMinor: 600_000n, defaultMonthlyLimitMinor: 750_000n } });
  });

  it("refuses what the plan's own rule excludes, unknown plans and packs, and a currency without a price", () => {
    expect(packOffer(catalog, { planId: 'none', packId: 'a' }, at)).toMatchObject({ ok: false, code: 'PLAN_CANNOT_PURCHASE' });
    expect(packOffer(catalog, { planId: 'only-b', packId: 'a' }, at)).toMatchObject({ ok: false, code: 'PLAN_CANNOT_PURCHASE' });
    expect(packOffer(catalog, { planId: 'nope', packId: 'a' }, at)).toMatchObject({ ok: false, code: 'UNKNOWN_PLAN' });
    expect(packOffer(catalog, { planId: 'later', packId: 'a' }, at)).toMatchObject({ ok: false, code: 'UNKNOWN_PLAN' });
    expect(packOffer(catalog, { planId: 'all', packId: 'nope' }, at)).toMatchObject({ ok: false, code: 'UNKNOWN_PACK' });
    expect(packOffer(catalog, { planId: 'all', packId: 'a' }, T0 - 1)).toMatchObject({ ok: false, code: 'UNKNOWN_PLAN' });
    expect(packOffer(catalog, { planId: 'all', packId: 'a', currency: 'DZD' }, at)).toMatchObject({ ok: false, code: 'NO_PRICE_IN_CURRENCY' });
    expect(packOffer(catalog, { planId: 'all', packId: 'a', currency: 'USD' }, at)).toMatchObject({ ok: false, code: 'NO_PRICE_IN_CURRENCY' });
  });
});

describe('pricing properties', () => {
  const v = card('v', T0, 313n, 1_249n);
  const n = fc.bigInt({ min: 0n, max: 10n ** 12n });

  it('never returns a negative or fractional price, and is monotonic in tokens, units and measures', () => {
    fc.assert(
      fc.property(n, n, n, n, (a, b, da, db) => {
        const low = priceWith('c', v, tokens(a, b));
        const high = priceWith('c', v, tokens(a + da, b + db));
        if (!low.ok || !high.ok) return false;
        const exactIsCovered = low.value.credits * low.value.exact.den >= low.value.exact.num;
        return typeof low.value.credits === 'bigint' && low.value.credits >= 0n && exactIsCovered && high.value.credits >= low.value.credits;
      }),
    );
    fc.assert(
      fc.property(n, n, (a, d) => {
        const f = (chars: bigint) => priceWith('c', v, { kind: 'feature', feature: 'f', dimensions: { chars } });
        const u = (count: bigint) => priceWith('c', v, { kind: 'units', unit: 'img', count });
        const [f1, f2, u1, u2] = [f(a), f(a + d), u(a), u(a + d)];
        return f1.ok && f2.ok && u1.ok && u2.ok && f1.value.credits >= 0n && f2.value.credits >= f1.value.credits && u2.value.credits >= u1.value.credits;
      }),
    );
  });

  it('is rounded within one credit of the exact sum (up, once)', () => {
    fc.assert(
      fc.property(n, n, (a, b) => {
        const r = priceWith('c', v, tokens(a, b));
        return r.ok && (r.value.credits - 1n) * 1_000_000n < a * 313n + b * 1_249n && r.value.credits * 1_000_000n >= a * 313n + b * 1_249n;
      }),
    );
  });
});
