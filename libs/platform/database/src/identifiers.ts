/**
 * Schema names end up in DDL, in search_path startup options and in lock keys, so they are kept
 * to a shape that needs no escaping anywhere and cannot collide with Postgres' own schemas.
 */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;
/** Postgres truncates identifiers to NAMEDATALEN - 1 bytes; a truncated name would alias another. */
export const MAX_IDENTIFIER_LENGTH = 63;

export const SCHEMA_NAME_RULE =
  'lowercase letters, digits and underscores only, not starting with a digit, not starting with "pg_", at most 63 characters';

export function isSchemaName(name: string): boolean {
  return SCHEMA_NAME.test(name) && name.length <= MAX_IDENTIFIER_LENGTH && !name.startsWith('pg_');
}

/** Returns the name when it is acceptable; a bad name is a configuration bug, so it throws. */
export function assertSchemaName(name: string): string {
  if (!isSchemaName(name)) {
    throw new Error(`Invalid schema name ${JSON.stringify(name)}: must be ${SCHEMA_NAME_RULE}`);
  }
  return name;
}

/** Quotes an identifier for SQL text: doubles embedded quotes, as Postgres requires. */
export function quoteIdent(name: string): string {
  if (name.length === 0 || name.includes('\0')) {
    throw new Error(`Invalid SQL identifier ${JSON.stringify(name)}: must be non-empty and contain no NUL`);
  }
  return `"${name.replaceAll('"', '""')}"`;
}
