import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { checkBackoff, type PaymentPolicy } from '@credence/recharge-domain';
import { loadEnvConfig } from '@credence/platform-runtime';

/**
 * Every setting of the recharge service, from the environment, validated at boot: a bad value
 * stops the process with the variable's name and the rule it broke.
 */
export class RechargeConfig {
  @IsString() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' }) DATABASE_URL!: string;
  @IsString() @Matches(/^(nats|tls):\/\//, { message: 'NATS_URL must be a nats:// URL' }) NATS_URL!: string;
  @IsInt() @Min(1) @Max(65535) PORT!: number;
  @IsString() @Matches(/^[a-z][a-z0-9_]{0,40}$/, { message: 'RECHARGE_SCHEMA must be lowercase letters, digits and _' }) RECHARGE_SCHEMA!: string;
  /** '' in production; isolates subjects and streams of one deployment (or one test) on a shared NATS. */
  @IsString() @Matches(/^([a-z][a-z0-9]{0,30})?$/, { message: 'NATS_PREFIX must be empty or lowercase letters and digits' }) NATS_PREFIX!: string;
  /** Grants and thresholds are applied synchronously on the ledger's HTTP API (admin key). */
  @IsString() @Matches(/^https?:\/\//, { message: 'LEDGER_URL must be an http(s):// URL' }) LEDGER_URL!: string;
  /** The account's plan comes from metering's `GET /v1/accounts/:id/subscription`. */
  @IsString() @Matches(/^https?:\/\//, { message: 'METERING_URL must be an http(s):// URL' }) METERING_URL!: string;
  @IsInt() @Min(1) @Max(200) DB_POOL_MAX!: number;
  /** One attempt at the ledger, metering or the catalog gives up after this. */
  @IsInt() @Min(100) @Max(60_000) UPSTREAM_TIMEOUT_MS!: number;
  @IsInt() @Min(1) @Max(10) UPSTREAM_ATTEMPTS!: number;
  @IsInt() @Min(0) @Max(10_000) UPSTREAM_RETRY_DELAY_MS!: number;
  /** The payment gateway adapter; only the sandbox exists. */
  @IsIn(['sandbox']) GATEWAY!: string;
  /** A charge or status request without an answer by then counts as "no answer" (it may still have been charged). */
  @IsInt() @Min(100) @Max(120_000) GATEWAY_TIMEOUT_MS!: number;
  /** Waits before each retry of a declined auto-recharge, comma-separated ms (one decline more than waits abandons it). */
  @IsString() @Matches(/^(\d+(,\d+)*)?$/, { message: 'DECLINE_RETRY_DELAYS_MS must be comma-separated milliseconds, e.g. 60000,600000,3600000' }) DECLINE_RETRY_DELAYS_MS!: string;
  /** An unconfirmed payment is asked about this long after it was submitted, and again after each answer "still processing". */
  @IsInt() @Min(10) @Max(3_600_000) CONFIRM_POLL_MS!: number;
  /** A payment still unconfirmed this long after its submission is abandoned (a later success still grants). */
  @IsInt() @Min(100) @Max(7 * 86_400_000) CONFIRM_TIMEOUT_MS!: number;
  /** Consecutive abandoned auto-recharges of an account that switch its auto-recharge off. */
  @IsInt() @Min(1) @Max(100) DISABLE_AFTER_FAILURES!: number;
  /** The scheduler's pause when no purchase has work due. */
  @IsInt() @Min(10) @Max(60_000) WORK_IDLE_MS!: number;
  @IsInt() @Min(1) @Max(1000) WORK_BATCH_SIZE!: number;
  /** A purchase taken by a worker is left alone by the others this long; must outlast one step (gateway and ledger calls). */
  @IsInt() @Min(1_000) @Max(3_600_000) WORK_LEASE_MS!: number;
  @IsInt() @Min(100) @Max(3_600_000) THRESHOLD_SYNC_MS!: number;
  @IsInt() @Min(1) @Max(10_000) OUTBOX_POLL_MS!: number;
  @IsInt() @Min(1) @Max(10_000) OUTBOX_BATCH_SIZE!: number;
  @IsInt() @Min(1) @Max(1000) BALANCE_LOW_BATCH_SIZE!: number;
  @IsInt() @Min(1_000) @Max(60_000) BALANCE_LOW_FETCH_EXPIRES_MS!: number;
  @IsInt() @Min(1_000) @Max(600_000) BALANCE_LOW_ACK_WAIT_MS!: number;
  @IsInt() @Min(1) @Max(100_000) BALANCE_LOW_MAX_ACK_PENDING!: number;
  /** At boot, how long to wait for the ledger's LEDGER stream to exist before giving up. */
  @IsInt() @Min(0) @Max(3_600_000) LEDGER_STREAM_WAIT_MS!: number;
  @IsInt() @Min(1_000) @Max(86_400_000) STREAM_DUPLICATE_WINDOW_MS!: number;
  /** JetStream reserves a stream's max bytes up front: this must fit the server's store. */
  @IsInt() @Min(1_048_576) RECHARGE_STREAM_MAX_BYTES!: number;
  /** Sandbox: a charge is confirmed (succeeded or declined) this long after it was made. */
  @IsInt() @Min(0) @Max(600_000) SANDBOX_CONFIRM_DELAY_MS!: number;
  /** Sandbox: how long the time-out card keeps its first answer back (longer than GATEWAY_TIMEOUT_MS). */
  @IsInt() @Min(0) @Max(600_000) SANDBOX_TIMEOUT_DELAY_MS!: number;
  /** Sandbox: `on` posts a signed callback per confirmed charge; `off` loses them all (polls confirm). */
  @IsIn(['on', 'off']) SANDBOX_WEBHOOKS!: string;
  @IsInt() @Min(0) @Max(600_000) SANDBOX_WEBHOOK_DELAY_MS!: number;
  /** Sandbox: where callbacks go; '' = this process's own webhook route. */
  @IsString() @Matches(/^(https?:\/\/.+)?$/, { message: 'SANDBOX_WEBHOOK_URL must be empty or an http(s):// URL' }) SANDBOX_WEBHOOK_URL!: string;
  /** Sandbox: the HMAC secret of callbacks, shared by every replica. Test money only. */
  @IsString() @Matches(/^.{16,200}$/, { message: 'SANDBOX_WEBHOOK_SECRET must be 16 to 200 characters' }) SANDBOX_WEBHOOK_SECRET!: string;
  @IsOptional() @IsIn(['trace', 'debug', 'info', 'warn', 'error']) LOG_LEVEL?: string;
}

export const RECHARGE_DEFAULTS: Readonly<Record<string, string>> = {
  // The embedded Postgres that `npm start` runs when no DATABASE_URL is given.
  DATABASE_URL: 'postgres://credence:credence@127.0.0.1:54329/credence',
  NATS_URL: 'nats://127.0.0.1:4222',
  PORT: '3004',
  RECHARGE_SCHEMA: 'recharge',
  NATS_PREFIX: '',
  LEDGER_URL: 'http://127.0.0.1:3001',
  METERING_URL: 'http://127.0.0.1:3003',
  DB_POOL_MAX: '10',
  UPSTREAM_TIMEOUT_MS: '5000',
  UPSTREAM_ATTEMPTS: '3',
  UPSTREAM_RETRY_DELAY_MS: '200',
  GATEWAY: 'sandbox',
  GATEWAY_TIMEOUT_MS: '10000',
  DECLINE_RETRY_DELAYS_MS: '60000,600000,3600000',
  CONFIRM_POLL_MS: '30000',
  CONFIRM_TIMEOUT_MS: '3600000',
  DISABLE_AFTER_FAILURES: '2',
  WORK_IDLE_MS: '1000',
  WORK_BATCH_SIZE: '20',
  WORK_LEASE_MS: '60000',
  THRESHOLD_SYNC_MS: '5000',
  OUTBOX_POLL_MS: '100',
  OUTBOX_BATCH_SIZE: '500',
  BALANCE_LOW_BATCH_SIZE: '50',
  BALANCE_LOW_FETCH_EXPIRES_MS: '1000',
  BALANCE_LOW_ACK_WAIT_MS: '60000',
  BALANCE_LOW_MAX_ACK_PENDING: '1000',
  LEDGER_STREAM_WAIT_MS: '60000',
  STREAM_DUPLICATE_WINDOW_MS: '120000',
  RECHARGE_STREAM_MAX_BYTES: String(1024 ** 3),
  SANDBOX_CONFIRM_DELAY_MS: '2000',
  SANDBOX_TIMEOUT_DELAY_MS: '30000',
  SANDBOX_WEBHOOKS: 'on',
  SANDBOX_WEBHOOK_DELAY_MS: '0',
  SANDBOX_WEBHOOK_URL: '',
  SANDBOX_WEBHOOK_SECRET: 'sandbox-webhook-secret-not-for-real-money',
};

export function loadRechargeConfig(env: NodeJS.ProcessEnv = process.env): RechargeConfig {
  const c = loadEnvConfig('recharge', RechargeConfig, RECHARGE_DEFAULTS, env);
  const problems: string[] = [];
  const backoff = checkBackoff(retryDelays(c));
  if (backoff) problems.push(`DECLINE_RETRY_DELAYS_MS: ${backoff}`);
  // A worker must finish a step before its lease lets another worker take the purchase.
  const step = c.GATEWAY_TIMEOUT_MS + 2 * c.UPSTREAM_ATTEMPTS * (c.UPSTREAM_TIMEOUT_MS + c.UPSTREAM_RETRY_DELAY_MS);
  if (c.WORK_LEASE_MS <= step) problems.push(`WORK_LEASE_MS must exceed one step's worst case (${step} ms: GATEWAY_TIMEOUT_MS plus two upstream calls)`);
  if (problems.length > 0) throw new Error(`invalid recharge configuration: ${problems.join('; ')}`);
  return c;
}

export const retryDelays = (c: RechargeConfig): number[] => (c.DECLINE_RETRY_DELAYS_MS === '' ? [] : c.DECLINE_RETRY_DELAYS_MS.split(',').map(Number));

export const paymentPolicy = (c: RechargeConfig): PaymentPolicy => ({
  retryDelaysMs: retryDelays(c),
  confirmPollMs: c.CONFIRM_POLL_MS,
  confirmTimeoutMs: c.CONFIRM_TIMEOUT_MS,
});
