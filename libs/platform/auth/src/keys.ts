import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * An API key is `cred_<id>_<secret>`: the id (12 base32 characters) finds the stored row, the
 * secret (32 random bytes, base64url) proves possession. Only sha256(secret) is stored: with 256
 * bits of entropy a fast hash cannot be brute-forced, so no slow KDF is needed.
 */
export type ParsedKey = { readonly id: string; readonly secret: string };

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const ID_LENGTH = 12;
const SECRET_BYTES = 32;
const KEY_PATTERN = /^cred_([a-z2-7]{12})_([A-Za-z0-9_-]{43})$/;

export type KeyScope =
  | { readonly kind: 'admin' }
  | { readonly kind: 'accounts'; readonly accountIds: readonly string[] }
  /** Every account whose id starts with `<tenant>:`. */
  | { readonly kind: 'tenant'; readonly tenant: string };

export interface StoredKey {
  readonly id: string;
  readonly hash: Buffer;
  readonly scope: KeyScope;
  readonly revokedAt: Date | null;
}

/** Where keys are looked up by id; `undefined` when no key has that id. */
export interface KeyStore {
  find(id: string): Promise<StoredKey | undefined>;
}

export function newKeyId(): string {
  // 256 is a multiple of 32: every character is equally likely.
  return [...randomBytes(ID_LENGTH)].map((b) => BASE32[b % 32]).join('');
}

export function generateKey(): { readonly key: string; readonly id: string; readonly hash: Buffer } {
  const id = newKeyId();
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { key: `cred_${id}_${secret}`, id, hash: hashSecret(secret) };
}

export function parseKey(key: string): ParsedKey | undefined {
  const m = KEY_PATTERN.exec(key);
  return m && m[1] && m[2] ? { id: m[1], secret: m[2] } : undefined;
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Constant time in the secret: no timing tells how much of a guess was right. */
export function secretMatches(secret: string, hash: Buffer): boolean {
  const candidate = hashSecret(secret);
  return hash.length === candidate.length && timingSafeEqual(candidate, hash);
}

export function isKeyScope(v: unknown): v is KeyScope {
  if (v === null || typeof v !== 'object' || !('kind' in v)) return false;
  switch (v.kind) {
    case 'admin':
      return true;
    case 'accounts':
      return 'accountIds' in v && Array.isArray(v.accountIds) && v.accountIds.every((a) => typeof a === 'string' && a.length > 0);
    case 'tenant':
      return 'tenant' in v && typeof v.tenant === 'string' && /^[A-Za-z0-9_.-]{1,100}$/.test(v.tenant);
    default:
      return false;
  }
}
