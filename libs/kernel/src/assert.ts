/** A failed assertion is a bug in Credence, never a user error: it throws. */
export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantViolation(message);
}

export function assertNever(value: never, what = 'value'): never {
  throw new InvariantViolation(`unexpected ${what}: ${JSON.stringify(value)}`);
}
