import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { loadEnvConfig } from '@credence/platform-runtime';

/**
 * Every setting of the ledger service, from the environment, validated at boot: a bad value
 * stops the process with the variable's name and the rule it broke.
 */
export class LedgerConfig {
  @IsString() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' }) DATABASE_URL!: string;
  @IsString() @Matches(/^(nats|tls):\/\//, { message: 'NATS_URL must be a nats:// URL' }) NATS_URL!: string;
  @IsInt() @Min(1) @Max(65535) PORT!: number;
  @IsString() @Matches(/^[a-z][a-z0-9_]{0,40}$/, { message: 'LEDGER_SCHEMA must be lowercase letters, digits and _' }) LEDGER_SCHEMA!: string;
  /** '' in production; isolates subjects and streams of one deployment (or one test) on a shared NATS. */
  @IsString() @Matches(/^([a-z][a-z0-9]{0,30})?$/, { message: 'NATS_PREFIX must be empty or lowercase letters and digits' }) NATS_PREFIX!: string;
  @IsInt() @Min(1) @Max(200) DB_POOL_MAX!: number;
  @IsInt() @Min(1) @Max(5000) COMMAND_BATCH_SIZE!: number;
  /** The JetStream client refuses pulls shorter than a second. */
  @IsInt() @Min(1_000) @Max(60_000) COMMAND_FETCH_EXPIRES_MS!: number;
  @IsInt() @Min(1) @Max(1_000_000) COMMAND_MAX_ACK_PENDING!: number;
  @IsInt() @Min(1_000) @Max(600_000) COMMAND_ACK_WAIT_MS!: number;
  /**
   * -1 (the default): a command is redelivered until it is applied. A malformed command is
   * terminated at once (and kept in rejects), so only an outage retries; a bound here would
   * silently drop commands after a long enough Postgres outage.
   */
  @IsInt() @Min(-1) @Max(1000) COMMAND_MAX_DELIVER!: number;
  @IsInt() @Min(0) @Max(100) HOLD_GROUP_WINDOW_MS!: number;
  @IsInt() @Min(1) @Max(5000) HOLD_GROUP_MAX!: number;
  @IsInt() @Min(10) @Max(3_600_000) SWEEP_INTERVAL_MS!: number;
  @IsInt() @Min(1_000) @Max(3_600_000) RESET_INTERVAL_MS!: number;
  @IsInt() @Min(1) @Max(10_000) OUTBOX_POLL_MS!: number;
  @IsInt() @Min(1) @Max(10_000) OUTBOX_BATCH_SIZE!: number;
  @IsInt() @Min(1_000) @Max(86_400_000) STREAM_DUPLICATE_WINDOW_MS!: number;
  /** JetStream reserves a stream's max bytes up front: these must fit the server's store. */
  @IsInt() @Min(1_048_576) COMMAND_STREAM_MAX_BYTES!: number;
  @IsInt() @Min(1_048_576) EVENT_STREAM_MAX_BYTES!: number;
  @IsOptional() @IsIn(['trace', 'debug', 'info', 'warn', 'error']) LOG_LEVEL?: string;
}

export const LEDGER_DEFAULTS: Readonly<Record<string, string>> = {
  // The embedded Postgres that `npm start` runs when no DATABASE_URL is given.
  DATABASE_URL: 'postgres://credence:credence@127.0.0.1:54329/credence',
  NATS_URL: 'nats://127.0.0.1:4222',
  PORT: '3001',
  LEDGER_SCHEMA: 'ledger',
  NATS_PREFIX: '',
  DB_POOL_MAX: '10',
  COMMAND_BATCH_SIZE: '500',
  COMMAND_FETCH_EXPIRES_MS: '1000',
  COMMAND_MAX_ACK_PENDING: '5000',
  COMMAND_ACK_WAIT_MS: '30000',
  COMMAND_MAX_DELIVER: '-1',
  HOLD_GROUP_WINDOW_MS: '1',
  HOLD_GROUP_MAX: '256',
  SWEEP_INTERVAL_MS: '1000',
  RESET_INTERVAL_MS: '60000',
  OUTBOX_POLL_MS: '20',
  OUTBOX_BATCH_SIZE: '1000',
  STREAM_DUPLICATE_WINDOW_MS: '120000',
  COMMAND_STREAM_MAX_BYTES: String(1024 ** 3),
  EVENT_STREAM_MAX_BYTES: String(4 * 1024 ** 3),
};

export const loadLedgerConfig = (env: NodeJS.ProcessEnv = process.env): LedgerConfig => loadEnvConfig('ledger', LedgerConfig, LEDGER_DEFAULTS, env);
