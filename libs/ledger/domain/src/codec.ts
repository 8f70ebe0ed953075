import type { LedgerEvent } from './events.js';

/**
 * The wire and storage form of an event: amounts as decimal strings, times as ISO-8601 UTC.
 * Keys are listed, not guessed from values, so a string that happens to look like a number
 * never turns into an amount.
 */
const AMOUNT_KEYS: ReadonlySet<string> = new Set([
  'amount',
  'remaining',
  'released',
  'debtIncurred',
  'debtReduced',
  'forfeited',
  'regranted',
  'level',
  'available',
  'freeMonthly',
]);
const TIME_KEYS: ReadonlySet<string> = new Set(['at', 'effectiveAt', 'expiresAt', 'periodStart', 'periodEnd']);

export type EncodedEvent = Record<string, unknown> & { readonly type: string };

function encodeValue(key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (TIME_KEYS.has(key) && typeof value === 'number') return new Date(value).toISOString();
  if (Array.isArray(value)) return value.map((v) => encodeValue('', v));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeValue(k, v)]));
  }
  return value;
}

function decodeValue(key: string, value: unknown): unknown {
  if (AMOUNT_KEYS.has(key) && typeof value === 'string') return BigInt(value);
  if (TIME_KEYS.has(key) && typeof value === 'string') return Date.parse(value);
  if (Array.isArray(value)) return value.map((v) => decodeValue('', v));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeValue(k, v)]));
  }
  return value;
}

export function encodeEvent(event: LedgerEvent): EncodedEvent {
  return encodeValue('', event) as EncodedEvent;
}

/** Trusts its input: only events this codec wrote are ever read back. */
export function decodeEvent(encoded: unknown): LedgerEvent {
  return decodeValue('', encoded) as LedgerEvent;
}
