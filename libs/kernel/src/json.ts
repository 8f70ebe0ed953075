/**
 * JSON with bigint amounts. Amounts travel as decimal strings; which fields are amounts is
 * decided by the reader (a reviver), because a string field is not an amount by its shape.
 */
export function stringifyWithBigints(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Revives the named keys as bigint wherever they occur (nested objects and arrays too). */
export function parseWithBigints(text: string, amountKeys: ReadonlySet<string>): unknown {
  return JSON.parse(text, (key, v: unknown) => (amountKeys.has(key) && typeof v === 'string' ? BigInt(v) : v));
}
