import { parseKey } from './keys.js';

export interface AuthConfig {
  /** false only for local experiments: every caller is then an admin. */
  readonly required: boolean;
  /** CREDENCE_ADMIN_KEY: a full key accepted by every service as admin (compared by hash). */
  readonly adminKey: string | undefined;
  /** The schema whose api_keys table holds the keys (metering's). */
  readonly schema: string;
  /** How long a key looked up is trusted before it is read again: the bound on revocation. */
  readonly cacheMs: number;
}

export const AUTH_CACHE_MS_DEFAULT = 5_000;
const MAX_CACHE_MS = 60_000;

/** Throws with the variable's name: a bad value stops the process at boot. */
export function loadAuthConfig(env: NodeJS.ProcessEnv = process.env, defaultSchema = 'metering'): AuthConfig {
  const required = env['AUTH_REQUIRED'] ?? 'true';
  if (required !== 'true' && required !== 'false') throw new Error('invalid auth configuration: AUTH_REQUIRED must be true or false');
  const adminKey = env['CREDENCE_ADMIN_KEY'] || undefined;
  if (adminKey !== undefined && !parseKey(adminKey)) throw new Error('invalid auth configuration: CREDENCE_ADMIN_KEY must be a key of the form cred_<id>_<secret>');
  const schema = env['AUTH_SCHEMA'] ?? defaultSchema;
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(schema)) throw new Error('invalid auth configuration: AUTH_SCHEMA must be lowercase letters, digits and _');
  const rawCache = env['AUTH_CACHE_MS'] ?? String(AUTH_CACHE_MS_DEFAULT);
  const cacheMs = /^\d+$/.test(rawCache) ? Number(rawCache) : NaN;
  if (!(cacheMs >= 0 && cacheMs <= MAX_CACHE_MS)) throw new Error(`invalid auth configuration: AUTH_CACHE_MS must be an integer from 0 to ${MAX_CACHE_MS}`);
  return { required: required === 'true', adminKey, schema, cacheMs };
}
