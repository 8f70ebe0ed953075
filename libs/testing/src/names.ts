import { randomBytes } from 'node:crypto';

const PREFIX = /^[a-z][a-z0-9_]*$/;
const MAX_PREFIX_LENGTH = 40;
const SUFFIX_LENGTH = 10;

/**
 * A fresh lowercase name, `<prefix>_<random>`, usable unchanged as a Postgres schema and a NATS
 * subject token, and upper-cased as a JetStream stream name: only [a-z0-9_], starts with a letter,
 * at most 51 characters (Postgres allows 63). Parallel jest workers each get their own.
 */
export function uniqueName(prefix: string): string {
  if (!PREFIX.test(prefix) || prefix.length > MAX_PREFIX_LENGTH) {
    throw new Error(
      `uniqueName: prefix ${JSON.stringify(prefix)} must be lowercase letters, digits and underscores, start with a letter, and be at most ${MAX_PREFIX_LENGTH} characters`,
    );
  }
  let suffix = '';
  while (suffix.length < SUFFIX_LENGTH) {
    suffix += BigInt(`0x${randomBytes(8).toString('hex')}`).toString(36);
  }
  return `${prefix}_${suffix.slice(0, SUFFIX_LENGTH)}`;
}

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const DEFAULT_TEST_NATS_URL = 'nats://127.0.0.1:4222';

export function testDatabaseUrl(): string {
  return process.env['TEST_DATABASE_URL'] || process.env['DATABASE_URL'] || DEFAULT_TEST_DATABASE_URL;
}

export function testNatsUrl(): string {
  return process.env['NATS_URL'] || DEFAULT_TEST_NATS_URL;
}
