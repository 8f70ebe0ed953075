/**
 * Exact non-negative rationals over bigint: a price is summed exactly and rounded once,
 * at the end, so the order of lines never changes the result.
 */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

const gcd = (a: bigint, b: bigint): bigint => {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
};
export { gcd };

export const rational = (num: bigint, den = 1n): Rational => {
  const g = gcd(num, den);
  return g === 0n || g === 1n ? { num, den } : { num: num / g, den: den / g };
};

export const ZERO: Rational = { num: 0n, den: 1n };

export const add = (a: Rational, b: Rational): Rational => rational(a.num * b.den + b.num * a.den, a.den * b.den);

/** Ceiling for non-negative values (every price is one). */
export const ceil = (r: Rational): bigint => (r.num + r.den - 1n) / r.den;

export const floorDiv = (num: bigint, den: bigint): bigint => num / den;

/** Round half up, for non-negative values. */
export const roundHalfUp = (num: bigint, den: bigint): bigint => (2n * num + den) / (2n * den);

/** `value` minor units as a decimal string in major units, `decimals` places, rounded half up. */
export function formatMajor(value: Rational, minorDigits: number, decimals: number): string {
  const scaled = roundHalfUp(value.num * 10n ** BigInt(decimals), value.den * 10n ** BigInt(minorDigits));
  const text = scaled.toString().padStart(decimals + 1, '0');
  return decimals === 0 ? text : `${text.slice(0, -decimals)}.${text.slice(-decimals)}`;
}
