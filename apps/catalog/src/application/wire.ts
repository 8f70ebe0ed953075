import type { Rational } from '@credence/catalog-domain';

/** An exact amount: "300" or a reduced fraction "1/2". */
export const rationalText = (r: Rational): string => (r.den === 1n ? r.num.toString() : `${r.num}/${r.den}`);

const isRational = (v: object): v is Rational =>
  Object.keys(v).length === 2 && typeof (v as Rational).num === 'bigint' && typeof (v as Rational).den === 'bigint';

/** The JSON form of domain values: bigints as decimal strings, rationals as "n" or "n/d", times left as they are. */
export function toWire(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    if (isRational(value)) return rationalText(value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
  }
  return value;
}
