import { err, ok, parseAmount, type Err, type Ok } from '@credence/kernel';
import type {
  Allowed,
  Band,
  Catalog,
  Currency,
  Dimension,
  FairUse,
  FeatureRate,
  History,
  PackRule,
  PackVersion,
  PlanVersion,
  Prices,
  RateCardVersion,
  Rollover,
  Tier,
  TokenRate,
  UnitRate,
  Versioned,
} from './model.js';

/**
 * The JSON form of a catalog (deploy/catalogs/*.json): amounts and every other bigint as
 * decimal strings, times as RFC 3339 UTC strings. Plain TypeScript checks, because a domain
 * lib may not use class-validator; every problem is reported, each with its path and rule.
 */
export interface Issue {
  readonly path: string;
  readonly rule: string;
}

export type ParseResult = Ok<Catalog> | (Err<'INVALID_CATALOG'> & { readonly issues: readonly Issue[] });

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const CURRENCY = /^[A-Z]{3}$/;

type Obj = Readonly<Record<string, unknown>>;

/** A reader that records issues and returns placeholders, so one pass reports every problem. */
class Reader {
  readonly issues: Issue[] = [];

  fail(path: string, rule: string): void {
    this.issues.push({ path, rule });
  }

  object(v: unknown, path: string): Obj {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Obj;
    this.fail(path, 'must be an object');
    return {};
  }

  array(v: unknown, path: string): readonly unknown[] {
    if (Array.isArray(v)) return v;
    this.fail(path, 'must be an array');
    return [];
  }

  string(v: unknown, path: string): string {
    if (typeof v === 'string' && v.length > 0) return v;
    this.fail(path, 'must be a non-empty string');
    return '';
  }

  id(v: unknown, path: string): string {
    const s = this.string(v, path);
    if (s !== '' && !ID.test(s)) this.fail(path, 'must be an id: lowercase letters, digits, . _ -, up to 64');
    return s;
  }

  /** A non-negative integer written as a decimal string; `positive` also refuses 0. */
  amount(v: unknown, path: string, positive = false): bigint {
    const n = typeof v === 'string' ? parseAmount(v) : undefined;
    if (n === undefined || n < 0n) {
      this.fail(path, 'must be a non-negative integer as a decimal string');
      return 0n;
    }
    if (positive && n === 0n) this.fail(path, 'must be greater than 0');
    return n;
  }

  optionalAmount(v: unknown, path: string): bigint | undefined {
    return v === undefined ? undefined : this.amount(v, path);
  }

  count(v: unknown, path: string): number {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return v;
    this.fail(path, 'must be a positive integer');
    return 1;
  }

  time(v: unknown, path: string): number {
    const t = typeof v === 'string' && RFC3339_UTC.test(v) ? Date.parse(v) : Number.NaN;
    if (Number.isNaN(t)) this.fail(path, 'must be an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SSZ)');
    return Number.isNaN(t) ? 0 : t;
  }

  unique(ids: readonly string[], path: string, what: string): void {
    const seen = new Set<string>();
    ids.forEach((id, i) => {
      if (seen.has(id)) this.fail(`${path}[${i}]`, `duplicate ${what} ${id}`);
      seen.add(id);
    });
  }
}

export function parseCatalog(input: unknown): ParseResult {
  const r = new Reader();
  const o = r.object(input, '$');
  const currencies = r.array(o['currencies'], '$.currencies').map((c, i): Currency => {
    const p = `$.currencies[${i}]`;
    const co = r.object(c, p);
    const code = r.string(co['code'], `${p}.code`);
    if (code !== '' && !CURRENCY.test(code)) r.fail(`${p}.code`, 'must be an ISO 4217 code');
    const minorDigits = co['minorDigits'];
    if (typeof minorDigits !== 'number' || !Number.isInteger(minorDigits) || minorDigits < 0 || minorDigits > 4) {
      r.fail(`${p}.minorDigits`, 'must be an integer 0-4');
    }
    return { code, minorDigits: typeof minorDigits === 'number' ? minorDigits : 0, autoRechargeMonthlyLimit: autoRechargeLimit(r, code, co, p) };
  });
  if (currencies.length === 0) r.fail('$.currencies', 'must name at least one currency');
  r.unique(currencies.map((c) => c.code), '$.currencies', 'currency');
  const codes = new Set(currencies.map((c) => c.code));

  const prices = (v: unknown, path: string, positive: boolean): Prices => {
    const po = r.object(v, path);
    const out: Record<string, bigint> = {};
    for (const [code, amount] of Object.entries(po)) {
      if (!codes.has(code)) r.fail(`${path}.${code}`, 'currency not declared in $.currencies');
      out[code] = r.amount(amount, `${path}.${code}`, positive);
    }
    return out;
  };

  const rateCards = histories(r, o['rateCards'], '$.rateCards', (vo, p) => rateCardVersion(r, vo, p));
  const packs = histories(r, o['packs'], '$.packs', (vo, p): Omit<PackVersion, keyof Versioned> => ({
    credits: r.amount(vo['credits'], `${p}.credits`, true),
    // A free pack would make the cheapest-packs search meaningless.
    prices: prices(vo['prices'], `${p}.prices`, true),
  }));
  const cardIds = new Set(rateCards.map((c) => c.id));
  const packIds = new Set(packs.map((c) => c.id));
  const plans = histories(r, o['plans'], '$.plans', (vo, p): Omit<PlanVersion, keyof Versioned> => {
    const rateCardId = r.id(vo['rateCardId'], `${p}.rateCardId`);
    if (rateCardId !== '' && !cardIds.has(rateCardId)) r.fail(`${p}.rateCardId`, `no rate card ${rateCardId}`);
    const rule = packRule(r, vo['packs'], `${p}.packs`);
    if (rule.kind === 'only') {
      rule.packIds.forEach((id, i) => packIds.has(id) || r.fail(`${p}.packs[${i}]`, `no pack ${id}`));
    }
    return {
      prices: prices(vo['prices'], `${p}.prices`, false),
      allocationCredits: r.amount(vo['allocationCredits'], `${p}.allocationCredits`),
      rollover: rolloverRule(r, vo['rollover'], `${p}.rollover`),
      fairUse: fairUse(r, vo['fairUse'], `${p}.fairUse`),
      features: allowed(r, vo['features'], `${p}.features`),
      models: allowed(r, vo['models'], `${p}.models`),
      packs: rule,
      rateCardId,
    };
  });
  const notes = o['notes'] === undefined ? [] : r.array(o['notes'], '$.notes').map((n, i) => r.string(n, `$.notes[${i}]`));
  const catalog: Catalog = {
    id: r.id(o['id'], '$.id'),
    name: r.string(o['name'], '$.name'),
    creditUnit: r.string(o['creditUnit'], '$.creditUnit'),
    currencies,
    plans,
    packs,
    rateCards,
    notes,
  };
  return r.issues.length === 0 ? ok(catalog) : { ...err('INVALID_CATALOG', `${r.issues.length} issue(s)`), issues: r.issues };
}

/** The product's default is 50 EUR; a catalog in another currency must say what it takes as the equivalent. */
export const DEFAULT_AUTO_RECHARGE_LIMIT_EUR_MINOR = 5000n;

function autoRechargeLimit(r: Reader, code: string, co: Obj, p: string): bigint {
  const v = co['autoRechargeMonthlyLimit'];
  if (v !== undefined) return r.amount(v, `${p}.autoRechargeMonthlyLimit`, true);
  if (code !== 'EUR' && code !== '') r.fail(`${p}.autoRechargeMonthlyLimit`, 'must state the equivalent of 50 EUR in minor units (the default monthly auto-recharge limit) for a currency other than EUR');
  return DEFAULT_AUTO_RECHARGE_LIMIT_EUR_MINOR;
}

function histories<V extends Versioned>(
  r: Reader,
  v: unknown,
  path: string,
  terms: (vo: Obj, path: string) => Omit<V, keyof Versioned>,
): History<V>[] {
  const list = r.array(v, path).map((h, i): History<V> => {
    const p = `${path}[${i}]`;
    const ho = r.object(h, p);
    const versions = r.array(ho['versions'], `${p}.versions`).map((vv, j): V => {
      const vp = `${p}.versions[${j}]`;
      const vo = r.object(vv, vp);
      return { versionId: r.id(vo['versionId'], `${vp}.versionId`), effectiveAt: r.time(vo['effectiveAt'], `${vp}.effectiveAt`), ...terms(vo, vp) } as V;
    });
    if (versions.length === 0) r.fail(`${p}.versions`, 'must hold at least one version');
    // Versions are appended in time order; two in force at once would make pricing ambiguous.
    versions.forEach((ver, j) => {
      const prev = versions[j - 1];
      if (prev && ver.effectiveAt <= prev.effectiveAt) r.fail(`${p}.versions[${j}].effectiveAt`, 'must be later than the previous version');
    });
    r.unique(versions.map((ver) => ver.versionId), `${p}.versions`, 'versionId');
    return { id: r.id(ho['id'], `${p}.id`), name: r.string(ho['name'], `${p}.name`), versions };
  });
  r.unique(list.map((h) => h.id), path, 'id');
  return list;
}

function rateCardVersion(r: Reader, vo: Obj, p: string): Omit<RateCardVersion, keyof Versioned> {
  const tokens = r.array(vo['tokens'] ?? [], `${p}.tokens`).map((t, i): TokenRate => {
    const tp = `${p}.tokens[${i}]`;
    const to = r.object(t, tp);
    return {
      model: r.string(to['model'], `${tp}.model`),
      inputPerMillion: r.amount(to['inputPerMillion'], `${tp}.inputPerMillion`),
      outputPerMillion: r.amount(to['outputPerMillion'], `${tp}.outputPerMillion`),
    };
  });
  const units = r.array(vo['units'] ?? [], `${p}.units`).map((u, i): UnitRate => {
    const up = `${p}.units[${i}]`;
    const uo = r.object(u, up);
    return { unit: r.string(uo['unit'], `${up}.unit`), credits: r.amount(uo['credits'], `${up}.credits`) };
  });
  const features = r.array(vo['features'] ?? [], `${p}.features`).map((f, i): FeatureRate => {
    const fp = `${p}.features[${i}]`;
    const fo = r.object(f, fp);
    const maxCredits = r.optionalAmount(fo['maxCredits'], `${fp}.maxCredits`);
    const dimensions = r.array(fo['dimensions'] ?? [], `${fp}.dimensions`).map((d, j) => dimension(r, d, `${fp}.dimensions[${j}]`));
    r.unique(dimensions.map((d) => d.name), `${fp}.dimensions`, 'dimension');
    const rate = { feature: r.string(fo['feature'], `${fp}.feature`), baseCredits: r.amount(fo['baseCredits'], `${fp}.baseCredits`), dimensions };
    return maxCredits === undefined ? rate : { ...rate, maxCredits };
  });
  r.unique(tokens.map((t) => t.model), `${p}.tokens`, 'model');
  r.unique(units.map((u) => u.unit), `${p}.units`, 'unit');
  r.unique(features.map((f) => f.feature), `${p}.features`, 'feature');
  return { tokens, units, features };
}

function dimension(r: Reader, d: unknown, p: string): Dimension {
  const o = r.object(d, p);
  const name = r.string(o['name'], `${p}.name`);
  switch (o['kind']) {
    case 'bands': {
      const bands = r.array(o['bands'], `${p}.bands`).map((b, i): Band => {
        const bp = `${p}.bands[${i}]`;
        const bo = r.object(b, bp);
        const from = r.amount(bo['from'], `${bp}.from`);
        const to = bo['to'] === null ? null : r.amount(bo['to'], `${bp}.to`);
        if (to !== null && to < from) r.fail(`${bp}.to`, 'must not be below from');
        return { from, to, credits: r.amount(bo['credits'], `${bp}.credits`) };
      });
      // Bands in ascending order without overlap: one value, one price.
      bands.forEach((b, i) => {
        const prev = bands[i - 1];
        if (prev && (prev.to === null || b.from <= prev.to)) r.fail(`${p}.bands[${i}].from`, 'must be above the previous band');
      });
      if (bands.length === 0) r.fail(`${p}.bands`, 'must hold at least one band');
      return { kind: 'bands', name, bands };
    }
    case 'options': {
      const oo = r.object(o['options'], `${p}.options`);
      const options = Object.fromEntries(Object.entries(oo).map(([k, v]) => [k, r.amount(v, `${p}.options.${k}`)]));
      if (Object.keys(options).length === 0) r.fail(`${p}.options`, 'must hold at least one option');
      return { kind: 'options', name, options };
    }
    case 'tiers': {
      const tiers = r.array(o['tiers'], `${p}.tiers`).map((t, i): Tier => {
        const tp = `${p}.tiers[${i}]`;
        const to = r.object(t, tp);
        return {
          upTo: to['upTo'] === null ? null : r.amount(to['upTo'], `${tp}.upTo`),
          credits: r.amount(to['credits'], `${tp}.credits`),
          per: r.amount(to['per'] ?? '1', `${tp}.per`, true),
        };
      });
      tiers.forEach((t, i) => {
        const prev = tiers[i - 1];
        if (prev && (prev.upTo === null || (t.upTo !== null && t.upTo <= prev.upTo))) r.fail(`${p}.tiers[${i}].upTo`, 'must be above the previous tier');
      });
      if (tiers.length === 0) r.fail(`${p}.tiers`, 'must hold at least one tier');
      return { kind: 'tiers', name, tiers };
    }
    default:
      r.fail(`${p}.kind`, 'must be bands, options or tiers');
      return { kind: 'options', name, options: {} };
  }
}

function rolloverRule(r: Reader, v: unknown, p: string): Rollover {
  if (v === 'none' || v === 'all') return { kind: v };
  const o = r.object(v, p);
  if (o['cap'] === undefined) r.fail(p, 'must be "none", "all" or { "cap": "<credits>" }');
  return { kind: 'cap', capCredits: r.amount(o['cap'] ?? '0', `${p}.cap`) };
}

function packRule(r: Reader, v: unknown, p: string): PackRule {
  if (v === 'none' || v === 'all') return { kind: v };
  return { kind: 'only', packIds: r.array(v, p).map((id, i) => r.id(id, `${p}[${i}]`)) };
}

function allowed(r: Reader, v: unknown, p: string): Allowed {
  if (v === 'all') return 'all';
  return r.array(v, p).map((id, i) => r.string(id, `${p}[${i}]`));
}

function fairUse(r: Reader, v: unknown, p: string): FairUse {
  const o = v === undefined ? {} : r.object(v, p);
  const out: { generationsPerDay?: number; creditsPerMonth?: bigint; concurrentGenerations?: number } = {};
  if (o['generationsPerDay'] !== undefined) out.generationsPerDay = r.count(o['generationsPerDay'], `${p}.generationsPerDay`);
  if (o['creditsPerMonth'] !== undefined) out.creditsPerMonth = r.amount(o['creditsPerMonth'], `${p}.creditsPerMonth`);
  if (o['concurrentGenerations'] !== undefined) out.concurrentGenerations = r.count(o['concurrentGenerations'], `${p}.concurrentGenerations`);
  return out;
}
