/**
 * Credits and money minor units are bigint in code and decimal strings on the wire.
 * A JS number is never used for an amount: it silently loses precision above 2^53.
 */
const INTEGER = /^-?(0|[1-9][0-9]*)$/;

/** Largest amount Postgres `bigint` can hold; every amount is bounded by it. */
export const MAX_AMOUNT = 9_223_372_036_854_775_807n;

export function parseAmount(text: string): bigint | undefined {
  if (!INTEGER.test(text)) return undefined;
  const value = BigInt(text);
  return value > MAX_AMOUNT || value < -MAX_AMOUNT ? undefined : value;
}

export const minBig = (a: bigint, b: bigint): bigint => (a < b ? a : b);
export const maxBig = (a: bigint, b: bigint): bigint => (a > b ? a : b);
export const sumBig = (values: Iterable<bigint>): bigint => {
  let total = 0n;
  for (const v of values) total += v;
  return total;
};
