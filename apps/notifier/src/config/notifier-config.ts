import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { loadEnvConfig } from '@credence/platform-runtime';

const DAY_MS = 86_400_000;

/**
 * Every setting of the notifier service, from the environment, validated at boot: a bad value
 * stops the process with the variable's name and the rule it broke.
 */
export class NotifierConfig {
  @IsString() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' }) DATABASE_URL!: string;
  @IsString() @Matches(/^(nats|tls):\/\//, { message: 'NATS_URL must be a nats:// URL' }) NATS_URL!: string;
  @IsInt() @Min(1) @Max(65535) PORT!: number;
  @IsString() @Matches(/^[a-z][a-z0-9_]{0,40}$/, { message: 'NOTIFIER_SCHEMA must be lowercase letters, digits and _' }) NOTIFIER_SCHEMA!: string;
  /** '' in production; isolates subjects and streams of one deployment (or one test) on a shared NATS. */
  @IsString() @Matches(/^([a-z][a-z0-9]{0,30})?$/, { message: 'NATS_PREFIX must be empty or lowercase letters and digits' }) NATS_PREFIX!: string;
  @IsInt() @Min(1) @Max(200) DB_POOL_MAX!: number;
  /** `smtp://user:pass@host:587` or `smtps://...`; '' turns e-mail off: e-mail deliveries then wait (and expire after DELIVERY_MAX_AGE_MS). */
  @IsString() @Matches(/^(smtps?:\/\/.+)?$/, { message: 'SMTP_URL must be empty or an smtp:// or smtps:// URL' }) SMTP_URL!: string;
  @IsString() @Matches(/^.{3,200}$/, { message: 'MAIL_FROM must be an address such as "Credence <notifications@example.com>"' }) MAIL_FROM!: string;
  /** The first retry waits up to this long; every failure doubles the bound (full jitter). */
  @IsInt() @Min(1) @Max(DAY_MS) RETRY_BASE_MS!: number;
  @IsInt() @Min(1) @Max(DAY_MS) RETRY_CAP_MS!: number;
  /** A delivery not done this long after its notification was recorded is dead-lettered. */
  @IsInt() @Min(100) @Max(30 * DAY_MS) DELIVERY_MAX_AGE_MS!: number;
  /** One webhook POST or one SMTP conversation gives up after this. */
  @IsInt() @Min(100) @Max(120_000) SEND_TIMEOUT_MS!: number;
  /** Deliveries in flight at once in this process. */
  @IsInt() @Min(1) @Max(1_000) DELIVERY_CONCURRENCY!: number;
  /** How often an idle worker looks for due deliveries (it is also woken when this process records some). */
  @IsInt() @Min(10) @Max(60_000) DELIVERY_POLL_MS!: number;
  @IsInt() @Min(10) @Max(3_600_000) REMINDER_POLL_MS!: number;
  /** How long before a grant's expiry its credits_expiring notice is due. */
  @IsInt() @Min(0) @Max(365 * DAY_MS) EXPIRY_NOTICE_MS!: number;
  /** A cause older than this when consumed (a replay, an outage) is not notified: it is no longer news. */
  @IsInt() @Min(1_000) @Max(365 * DAY_MS) MAX_CAUSE_AGE_MS!: number;
  @IsInt() @Min(1) @Max(5_000) EVENT_BATCH_SIZE!: number;
  @IsInt() @Min(1_000) @Max(60_000) EVENT_FETCH_EXPIRES_MS!: number;
  @IsInt() @Min(1_000) @Max(600_000) EVENT_ACK_WAIT_MS!: number;
  @IsInt() @Min(1) @Max(1_000_000) EVENT_MAX_ACK_PENDING!: number;
  /** How often to look again for a stream its producer has not created yet. */
  @IsInt() @Min(50) @Max(600_000) STREAM_RETRY_MS!: number;
  @IsOptional() @IsIn(['trace', 'debug', 'info', 'warn', 'error']) LOG_LEVEL?: string;
}

export const NOTIFIER_DEFAULTS: Readonly<Record<string, string>> = {
  // The embedded Postgres that `npm start` runs when no DATABASE_URL is given.
  DATABASE_URL: 'postgres://credence:credence@127.0.0.1:54329/credence',
  NATS_URL: 'nats://127.0.0.1:4222',
  PORT: '3005',
  NOTIFIER_SCHEMA: 'notifier',
  NATS_PREFIX: '',
  DB_POOL_MAX: '5',
  SMTP_URL: '',
  MAIL_FROM: 'Credence <notifications@localhost>',
  RETRY_BASE_MS: '10000',
  RETRY_CAP_MS: '3600000',
  DELIVERY_MAX_AGE_MS: String(DAY_MS),
  SEND_TIMEOUT_MS: '10000',
  DELIVERY_CONCURRENCY: '16',
  DELIVERY_POLL_MS: '500',
  REMINDER_POLL_MS: '60000',
  EXPIRY_NOTICE_MS: String(7 * DAY_MS),
  MAX_CAUSE_AGE_MS: String(DAY_MS),
  EVENT_BATCH_SIZE: '100',
  EVENT_FETCH_EXPIRES_MS: '1000',
  EVENT_ACK_WAIT_MS: '30000',
  EVENT_MAX_ACK_PENDING: '1000',
  STREAM_RETRY_MS: '5000',
};

export function loadNotifierConfig(env: NodeJS.ProcessEnv = process.env): NotifierConfig {
  const c = loadEnvConfig('notifier', NotifierConfig, NOTIFIER_DEFAULTS, env);
  if (c.RETRY_CAP_MS < c.RETRY_BASE_MS) throw new Error('invalid notifier configuration: RETRY_CAP_MS must be at least RETRY_BASE_MS');
  return c;
}
