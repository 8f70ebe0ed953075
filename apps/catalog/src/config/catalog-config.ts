import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { loadEnvConfig } from '@credence/platform-runtime';

/**
 * Every setting of the catalog service, from the environment, validated at boot: a bad value
 * stops the process with the variable's name and the rule it broke.
 */
export class CatalogConfig {
  @IsString() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' }) DATABASE_URL!: string;
  @IsString() @Matches(/^(nats|tls):\/\//, { message: 'NATS_URL must be a nats:// URL' }) NATS_URL!: string;
  @IsInt() @Min(1) @Max(65535) PORT!: number;
  @IsString() @Matches(/^[a-z][a-z0-9_]{0,40}$/, { message: 'CATALOG_SCHEMA must be lowercase letters, digits and _' }) CATALOG_SCHEMA!: string;
  /** '' in production; isolates subjects and streams of one deployment (or one test) on a shared NATS. */
  @IsString() @Matches(/^([a-z][a-z0-9]{0,30})?$/, { message: 'NATS_PREFIX must be empty or lowercase letters and digits' }) NATS_PREFIX!: string;
  /** A catalog JSON loaded at boot when the schema holds no catalog yet; '' loads nothing. Relative to the working directory. */
  @IsString() CATALOG_DEFAULT!: string;
  @IsInt() @Min(1) @Max(200) DB_POOL_MAX!: number;
  @IsInt() @Min(1_000) @Max(86_400_000) STREAM_DUPLICATE_WINDOW_MS!: number;
  /** JetStream reserves a stream's max bytes up front: this must fit the server's store. */
  @IsInt() @Min(1_048_576) EVENT_STREAM_MAX_BYTES!: number;
  @IsOptional() @IsIn(['trace', 'debug', 'info', 'warn', 'error']) LOG_LEVEL?: string;
}

export const CATALOG_DEFAULTS: Readonly<Record<string, string>> = {
  // The embedded Postgres that `npm start` runs when no DATABASE_URL is given.
  DATABASE_URL: 'postgres://credence:credence@127.0.0.1:54329/credence',
  NATS_URL: 'nats://127.0.0.1:4222',
  PORT: '3002',
  CATALOG_SCHEMA: 'catalog',
  NATS_PREFIX: '',
  CATALOG_DEFAULT: 'deploy/catalogs/wazion.json',
  DB_POOL_MAX: '5',
  STREAM_DUPLICATE_WINDOW_MS: '120000',
  // One small message per catalog revision: 64 MiB is years of them.
  EVENT_STREAM_MAX_BYTES: String(64 * 1024 ** 2),
};

export const loadCatalogConfig = (env: NodeJS.ProcessEnv = process.env): CatalogConfig => loadEnvConfig('catalog', CatalogConfig, CATALOG_DEFAULTS, env);
