import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { loadEnvConfig } from '@credence/platform-runtime';

/**
 * Every setting of the metering service, from the environment, validated at boot: a bad value
 * stops the process with the variable's name and the rule it broke.
 */
export class MeteringConfig {
  @IsString() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' }) DATABASE_URL!: string;
  @IsString() @Matches(/^(nats|tls):\/\//, { message: 'NATS_URL must be a nats:// URL' }) NATS_URL!: string;
  @IsInt() @Min(1) @Max(65535) PORT!: number;
  @IsString() @Matches(/^[a-z][a-z0-9_]{0,40}$/, { message: 'METERING_SCHEMA must be lowercase letters, digits and _' }) METERING_SCHEMA!: string;
  /** '' in production; isolates subjects and streams of one deployment (or one test) on a shared NATS. */
  @IsString() @Matches(/^([a-z][a-z0-9]{0,30})?$/, { message: 'NATS_PREFIX must be empty or lowercase letters and digits' }) NATS_PREFIX!: string;
  /** The ledger's HTTP API: captures, releases, usage and refunds are applied synchronously there. */
  @IsString() @Matches(/^https?:\/\//, { message: 'LEDGER_URL must be an http(s):// URL' }) LEDGER_URL!: string;
  /** The catalog's HTTP API: plan limits are read from the catalog document. */
  @IsString() @Matches(/^https?:\/\//, { message: 'CATALOG_URL must be an http(s):// URL' }) CATALOG_URL!: string;
  @IsInt() @Min(1) @Max(200) DB_POOL_MAX!: number;
  /** One attempt at the ledger or the catalog (HTTP or NATS request) gives up after this. */
  @IsInt() @Min(100) @Max(60_000) UPSTREAM_TIMEOUT_MS!: number;
  /** Attempts per upstream call when it times out or answers 5xx; keys make retries safe. */
  @IsInt() @Min(1) @Max(10) UPSTREAM_ATTEMPTS!: number;
  @IsInt() @Min(0) @Max(10_000) UPSTREAM_RETRY_DELAY_MS!: number;
  /** How long plan limits read from the catalog are reused before being read again. */
  @IsInt() @Min(0) @Max(3_600_000) PLAN_CACHE_MS!: number;
  @IsInt() @Min(1) @Max(5000) USAGE_BATCH_SIZE!: number;
  @IsInt() @Min(1_000) @Max(60_000) USAGE_FETCH_EXPIRES_MS!: number;
  @IsInt() @Min(1_000) @Max(600_000) USAGE_ACK_WAIT_MS!: number;
  @IsInt() @Min(1) @Max(1_000_000) USAGE_MAX_ACK_PENDING!: number;
  @IsInt() @Min(1_000) @Max(86_400_000) STREAM_DUPLICATE_WINDOW_MS!: number;
  /** JetStream reserves a stream's max bytes up front: this must fit the server's store. */
  @IsInt() @Min(1_048_576) USAGE_STREAM_MAX_BYTES!: number;
  @IsInt() @Min(1_048_576) EVENT_STREAM_MAX_BYTES!: number;
  @IsOptional() @IsIn(['trace', 'debug', 'info', 'warn', 'error']) LOG_LEVEL?: string;
}

export const METERING_DEFAULTS: Readonly<Record<string, string>> = {
  // The embedded Postgres that `npm start` runs when no DATABASE_URL is given.
  DATABASE_URL: 'postgres://credence:credence@127.0.0.1:54329/credence',
  NATS_URL: 'nats://127.0.0.1:4222',
  PORT: '3003',
  METERING_SCHEMA: 'metering',
  NATS_PREFIX: '',
  LEDGER_URL: 'http://127.0.0.1:3001',
  CATALOG_URL: 'http://127.0.0.1:3002',
  DB_POOL_MAX: '10',
  UPSTREAM_TIMEOUT_MS: '5000',
  UPSTREAM_ATTEMPTS: '3',
  UPSTREAM_RETRY_DELAY_MS: '200',
  PLAN_CACHE_MS: '5000',
  USAGE_BATCH_SIZE: '100',
  USAGE_FETCH_EXPIRES_MS: '1000',
  USAGE_ACK_WAIT_MS: '60000',
  USAGE_MAX_ACK_PENDING: '1000',
  STREAM_DUPLICATE_WINDOW_MS: '120000',
  USAGE_STREAM_MAX_BYTES: String(1024 ** 3),
  EVENT_STREAM_MAX_BYTES: String(256 * 1024 ** 2),
};

export const loadMeteringConfig = (env: NodeJS.ProcessEnv = process.env): MeteringConfig => loadEnvConfig('metering', MeteringConfig, METERING_DEFAULTS, env);
