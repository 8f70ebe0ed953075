import { ForbiddenException } from '@nestjs/common';
import { loadAuthConfig } from './auth-config.js';
import { Authenticator, presentedKey } from './authenticator.js';
import { CachedKeyStore } from './key-store.js';
import { generateKey, hashSecret, isKeyScope, parseKey, secretMatches, type KeyStore, type StoredKey } from './keys.js';
import { assertCanAccess, canAccess, type Principal } from './principal.js';

const storeOf = (...keys: StoredKey[]): KeyStore & { reads: number } => {
  const s = {
    reads: 0,
    find: (id: string) => {
      s.reads++;
      return Promise.resolve(keys.find((k) => k.id === id));
    },
  };
  return s;
};

describe('key format', () => {
  it('given a generated key, when parsed, then its id and secret come back and only the hash matches the secret', () => {
    const g = generateKey();
    const parsed = parseKey(g.key);
    expect(parsed?.id).toBe(g.id);
    expect(g.id).toMatch(/^[a-z2-7]{12}$/);
    expect(secretMatches(parsed!.secret, g.hash)).toBe(true);
    expect(secretMatches(`${parsed!.secret.slice(0, -1)}A`, g.hash)).toBe(parsed!.secret.endsWith('A'));
    expect(g.key).not.toContain(g.hash.toString('hex'));
  });

  it('given malformed keys, when parsed, then they are refused', () => {
    for (const k of ['', 'cred_', 'cred_abc_def', `cred_${'a'.repeat(12)}_${'b'.repeat(42)}`, `key_${'a'.repeat(12)}_${'b'.repeat(43)}`, `cred_${'A'.repeat(12)}_${'b'.repeat(43)}`])
      expect(parseKey(k)).toBeUndefined();
  });

  it('given two generated keys, then they differ', () => {
    expect(generateKey().key).not.toBe(generateKey().key);
  });

  it('given stored scopes, then only the three known shapes are accepted', () => {
    expect(isKeyScope({ kind: 'admin' })).toBe(true);
    expect(isKeyScope({ kind: 'accounts', accountIds: ['a'] })).toBe(true);
    expect(isKeyScope({ kind: 'tenant', tenant: 'acme' })).toBe(true);
    expect(isKeyScope({ kind: 'accounts', accountIds: [1] })).toBe(false);
    expect(isKeyScope({ kind: 'root' })).toBe(false);
    expect(isKeyScope(null)).toBe(false);
  });
});

describe('scope checks', () => {
  const accounts: Principal = { keyId: 'k', scope: { kind: 'accounts', accountIds: ['acct-a'] } };
  const tenant: Principal = { keyId: 't', scope: { kind: 'tenant', tenant: 'acme' } };

  it('given an accounts key, then it covers its accounts only', () => {
    expect(canAccess(accounts, 'acct-a')).toBe(true);
    expect(canAccess(accounts, 'acct-b')).toBe(false);
    expect(() => assertCanAccess(accounts, 'acct-b')).toThrow(ForbiddenException);
  });

  it('given a tenant key, then it covers `<tenant>:` accounts only', () => {
    expect(canAccess(tenant, 'acme:1')).toBe(true);
    expect(canAccess(tenant, 'acme:')).toBe(false);
    expect(canAccess(tenant, 'acmeco:1')).toBe(false);
    expect(canAccess(tenant, 'acme')).toBe(false);
  });

  it('given an admin key, then it covers every account', () => {
    expect(canAccess({ keyId: 'x', scope: { kind: 'admin' } }, 'anything')).toBe(true);
  });
});

describe('Authenticator', () => {
  const admin = generateKey();
  const workload = generateKey();
  const revoked = generateKey();
  const store = () =>
    storeOf(
      { id: workload.id, hash: workload.hash, scope: { kind: 'accounts', accountIds: ['a'] }, revokedAt: null },
      { id: revoked.id, hash: revoked.hash, scope: { kind: 'admin' }, revokedAt: new Date() },
    );

  it('given the bootstrap admin key, then it is admin without reading the store', async () => {
    const s = store();
    const auth = new Authenticator({ required: true, adminKey: admin.key }, s);
    expect(await auth.authenticate(admin.key)).toEqual({ keyId: 'bootstrap', scope: { kind: 'admin' } });
    expect(s.reads).toBe(0);
  });

  it('given a stored key, then its scope is the principal; a wrong secret, an unknown id, a revoked key or none are all unauthorized', async () => {
    const auth = new Authenticator({ required: true, adminKey: admin.key }, store());
    expect(await auth.authenticate(workload.key)).toEqual({ keyId: workload.id, scope: { kind: 'accounts', accountIds: ['a'] } });
    const wrongSecret = `cred_${workload.id}_${parseKey(admin.key)!.secret}`;
    const wrongAdmin = `cred_${admin.id}_${parseKey(workload.key)!.secret}`;
    for (const k of [wrongSecret, wrongAdmin, generateKey().key, revoked.key, undefined, 'garbage']) expect(await auth.authenticate(k)).toBeUndefined();
  });

  it('given auth is not required, then every caller is admin', async () => {
    expect((await new Authenticator({ required: false, adminKey: undefined }, store()).authenticate(undefined))?.scope).toEqual({ kind: 'admin' });
  });
});

describe('CachedKeyStore', () => {
  it('given a key read within the bound, then the store is not read again; after the bound it is', async () => {
    let now = 0;
    const inner = storeOf({ id: 'x', hash: hashSecret('s'), scope: { kind: 'admin' }, revokedAt: null });
    const cached = new CachedKeyStore(inner, 5_000, () => now);
    await cached.find('x');
    now = 4_999;
    await cached.find('x');
    expect(inner.reads).toBe(1);
    now = 5_000;
    await cached.find('x');
    expect(inner.reads).toBe(2);
    cached.forget('x');
    await cached.find('x');
    expect(inner.reads).toBe(3);
  });
});

describe('presentedKey and loadAuthConfig', () => {
  it('given either header, then the key is read', () => {
    expect(presentedKey({ authorization: 'Bearer abc' })).toBe('abc');
    expect(presentedKey({ 'x-api-key': 'abc' })).toBe('abc');
    expect(presentedKey({ authorization: 'Basic abc' })).toBeUndefined();
    expect(presentedKey({})).toBeUndefined();
  });

  it('given the environment, then defaults apply and bad values stop the boot', () => {
    expect(loadAuthConfig({})).toEqual({ required: true, adminKey: undefined, schema: 'metering', cacheMs: 5_000 });
    expect(() => loadAuthConfig({ CREDENCE_ADMIN_KEY: 'secret' })).toThrow(/CREDENCE_ADMIN_KEY/);
    expect(() => loadAuthConfig({ AUTH_REQUIRED: 'yes' })).toThrow(/AUTH_REQUIRED/);
    expect(() => loadAuthConfig({ AUTH_SCHEMA: 'a;drop' })).toThrow(/AUTH_SCHEMA/);
    expect(loadAuthConfig({ AUTH_CACHE_MS: '0', AUTH_REQUIRED: 'false' })).toMatchObject({ cacheMs: 0, required: false });
  });
});
