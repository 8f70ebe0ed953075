import { hashSecret, parseKey, secretMatches, type KeyStore } from './keys.js';
import type { Principal } from './principal.js';

export const BOOTSTRAP_KEY_ID = 'bootstrap';
const ANONYMOUS: Principal = { keyId: 'anonymous', scope: { kind: 'admin' } };

/** Turns the presented key (or none) into a principal; `undefined` is "unauthorized", whatever the reason. */
export class Authenticator {
  private readonly admin: { id: string; hash: Buffer } | undefined;

  constructor(
    private readonly options: { readonly required: boolean; readonly adminKey: string | undefined },
    private readonly store: KeyStore,
  ) {
    const parsed = options.adminKey === undefined ? undefined : parseKey(options.adminKey);
    this.admin = parsed && { id: parsed.id, hash: hashSecret(parsed.secret) };
  }

  /** Rejects only when the store cannot be read. */
  async authenticate(presented: string | undefined): Promise<Principal | undefined> {
    if (!this.options.required) return ANONYMOUS;
    const parsed = presented === undefined ? undefined : parseKey(presented);
    if (!parsed) return undefined;
    if (this.admin && parsed.id === this.admin.id)
      return secretMatches(parsed.secret, this.admin.hash) ? { keyId: BOOTSTRAP_KEY_ID, scope: { kind: 'admin' } } : undefined;
    const stored = await this.store.find(parsed.id);
    if (!stored || stored.revokedAt !== null || !secretMatches(parsed.secret, stored.hash)) return undefined;
    return { keyId: stored.id, scope: stored.scope };
  }
}

/** `Authorization: Bearer <key>` or `x-api-key: <key>`. */
export function presentedKey(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  const auth = headers['authorization'];
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m?.[1];
  }
  const x = headers['x-api-key'];
  return typeof x === 'string' ? x.trim() : undefined;
}
