import { MAX_AMOUNT, parseAmount, sumBig } from './credits.js';

describe('parseAmount', () => {
  it('accepts canonical integers, including ones beyond 2^53', () => {
    expect(parseAmount('0')).toBe(0n);
    expect(parseAmount('-42')).toBe(-42n);
    expect(parseAmount('9007199254740993')).toBe(9007199254740993n);
    expect(parseAmount(MAX_AMOUNT.toString())).toBe(MAX_AMOUNT);
  });

  it('refuses floats, exponents, padding and values beyond Postgres bigint', () => {
    for (const bad of ['1.5', '1e3', ' 1', '01', '', '+1', (MAX_AMOUNT + 1n).toString()]) {
      expect(parseAmount(bad)).toBeUndefined();
    }
  });

  it('sums bigints exactly', () => {
    expect(sumBig([9007199254740993n, 1n])).toBe(9007199254740994n);
  });
});
