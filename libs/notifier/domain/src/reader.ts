/** An event whose shape is not the contract's: the notifier records it as a reject and moves on. */
export class MalformedEvent extends Error {
  override readonly name = 'MalformedEvent';
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super(`${field}: ${rule}`);
  }
}

export type Plain = Readonly<Record<string, unknown>>;

export function object(v: unknown, field: string): Plain {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new MalformedEvent(field, 'must be an object');
  return v as Plain;
}

export function text(o: Plain, field: string, prefix = ''): string {
  const v = o[field];
  if (typeof v !== 'string' || v.length === 0) throw new MalformedEvent(prefix + field, 'must be a non-empty string');
  return v;
}

export function optionalText(o: Plain, field: string, prefix = ''): string | null {
  const v = o[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new MalformedEvent(prefix + field, 'must be a string or null');
  return v;
}

const INTEGER = /^-?(0|[1-9][0-9]*)$/;

/** Amounts travel as decimal strings; they stay strings here (nothing is computed with them). */
export function amount(o: Plain, field: string, prefix = ''): string {
  const v = o[field];
  if (typeof v !== 'string' || !INTEGER.test(v)) throw new MalformedEvent(prefix + field, 'must be an integer as a decimal string');
  return v;
}

export function optionalAmount(o: Plain, field: string, prefix = ''): string | null {
  return o[field] === undefined || o[field] === null ? null : amount(o, field, prefix);
}

/** Epoch milliseconds of an ISO-8601 time. */
export function time(o: Plain, field: string, prefix = ''): number {
  const v = o[field];
  const ms = typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw new MalformedEvent(prefix + field, 'must be an ISO-8601 time');
  return ms;
}

export function optionalTime(o: Plain, field: string, prefix = ''): number | null {
  return o[field] === undefined || o[field] === null ? null : time(o, field, prefix);
}

export function integer(o: Plain, field: string, prefix = ''): number {
  const v = o[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new MalformedEvent(prefix + field, 'must be an integer');
  return v;
}
