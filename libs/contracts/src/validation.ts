import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { IsString, isISO8601, Length, Matches, registerDecorator, validateSync, type ValidationError, type ValidationOptions } from 'class-validator';
import { MAX_AMOUNT } from '@credence/kernel';

/** One broken rule on one field, e.g. `{ field: 'resource.projectId', rule: 'maxLength', message: ... }`. */
export interface FieldIssue {
  readonly field: string;
  readonly rule: string;
  readonly message: string;
}

export type Validated<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly FieldIssue[] };

function flatten(errors: readonly ValidationError[], parent = ''): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    for (const [rule, message] of Object.entries(e.constraints ?? {})) {
      // class-validator names an unknown field's rule "whitelistValidation"; say what it means.
      out.push({ field, rule: rule === 'whitelistValidation' ? 'unknownField' : rule, message });
    }
    if (e.children && e.children.length > 0) out.push(...flatten(e.children, field));
  }
  return out;
}

/**
 * Validates an untrusted plain object against a DTO class: unknown fields are refused, nested
 * objects validated, and every issue names its field and rule. Nothing is coerced.
 */
export function validatePlain<T extends object>(cls: ClassConstructor<T>, plain: unknown): Validated<T> {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    return { ok: false, issues: [{ field: '(body)', rule: 'isObject', message: 'the body must be a JSON object' }] };
  }
  const instance = plainToInstance(cls, plain, { enableImplicitConversion: false });
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  return errors.length === 0 ? { ok: true, value: instance } : { ok: false, issues: flatten(errors) };
}

/** Parses JSON bytes and validates them; a parse failure is an issue on `(body)`. */
export function validateJson<T extends object>(cls: ClassConstructor<T>, bytes: Uint8Array | string): Validated<T> {
  let plain: unknown;
  try {
    plain = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    return { ok: false, issues: [{ field: '(body)', rule: 'isJson', message: `not JSON: ${(e as Error).message}` }] };
  }
  return validatePlain(cls, plain);
}

export const describeIssues = (issues: readonly FieldIssue[]): string => issues.map((i) => `${i.field}: ${i.message}`).join('; ');

const POSITIVE = /^[1-9][0-9]*$/;
const NON_NEGATIVE = /^(0|[1-9][0-9]*)$/;

/**
 * A credit amount on the wire: a decimal string of an integer (never a JSON number, which loses
 * precision above 2^53), within Postgres bigint.
 */
export function IsAmount(options: { allowZero?: boolean } = {}, validationOptions?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isAmount',
      target: target.constructor,
      propertyName: propertyName as string,
      // Carried in the metadata so that documents derived from it (OpenAPI) tell zero from positive.
      constraints: [options.allowZero === true],
      options: validationOptions ?? {},
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && (options.allowZero ? NON_NEGATIVE : POSITIVE).test(value) && BigInt(value) <= MAX_AMOUNT,
        defaultMessage: (args) =>
          `${args?.property ?? 'amount'} must be a decimal string of a ${options.allowZero ? 'non-negative' : 'positive'} integer of at most ${MAX_AMOUNT} (e.g. "1500")`,
      },
    });
  };
}

/** RFC 3339 date-time with an explicit offset, the one form every reader (JS, Postgres) parses alike. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A point in time on the wire: `2026-11-21T08:00:00Z` or with an offset. ISO 8601 allows more
 * (week dates, basic format, comma fractions) that `Date.parse` does not read: those are refused.
 */
export function IsTimestamp(validationOptions?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isTimestamp',
      target: target.constructor,
      propertyName: propertyName as string,
      options: validationOptions ?? {},
      validator: {
        validate: (value: unknown) =>
          // isISO8601 strict also refuses days a month does not have, which Date.parse rolls over.
          typeof value === 'string' && TIMESTAMP.test(value) && isISO8601(value, { strict: true }) && Number.isFinite(Date.parse(value)),
        defaultMessage: (args) => `${args?.property ?? 'time'} must be an RFC 3339 time such as 2026-11-21T08:00:00Z`,
      },
    });
  };
}

/**
 * Ids chosen by callers (keys, account ids): printable, no spaces, bounded by each field, so they
 * are safe in logs, URLs and headers. `#` is left out: the ledger joins its own ids with it.
 */
export const CALLER_ID = /^[A-Za-z0-9._:@/+=-]+$/;
export const CALLER_ID_RULE = 'letters, digits and . _ : @ / + = - only';

/** A query naming one account (`?accountId=`): the recharge and notifier listings. */
export class AccountQueryDto {
  @IsString() @Length(1, 100) @Matches(CALLER_ID, { message: `accountId must use ${CALLER_ID_RULE}` }) accountId!: string;
}
