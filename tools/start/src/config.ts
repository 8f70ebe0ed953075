import { join } from 'node:path';

/** Decisions the launcher takes from its environment, kept pure so they are tested without processes. */

export type ServiceName = 'ledger' | 'catalog' | 'metering' | 'recharge' | 'notifier';

export const SERVICE_PORTS: Readonly<Record<ServiceName, number>> = {
  ledger: 3001,
  catalog: 3002,
  metering: 3003,
  recharge: 3004,
  notifier: 3005,
};

export interface ServiceSpec {
  readonly name: ServiceName;
  /** Relative to the repository root, as built by `npm run build`. */
  readonly entry: string;
}

/** Every service the launcher starts, in start order. Add a line when a service lands. */
export const SERVICES: readonly ServiceSpec[] = [
  { name: 'ledger', entry: 'dist/apps/ledger/src/main.js' },
  { name: 'catalog', entry: 'dist/apps/catalog/src/main.js' },
  { name: 'metering', entry: 'dist/apps/metering/src/main.js' },
  { name: 'recharge', entry: 'dist/apps/recharge/src/main.js' },
  { name: 'notifier', entry: 'dist/apps/notifier/src/main.js' },
];

/**
 * Node flags of every service. V8 otherwise grows the old generation toward a quarter of the
 * machine's memory before collecting hard; the bound keeps a service's memory predictable. A
 * larger young generation lets a batch's short-lived objects die young, which wins back most of
 * the throughput the bound costs (measured in docs/performance.md).
 */
export const SERVICE_NODE_ARGS: readonly string[] = ['--max-old-space-size=384', '--max-semi-space-size=32'];

type Env = Readonly<Record<string, string | undefined>>;

export const EMBEDDED_PG_DEFAULT_PORT = 54329;
export const EMBEDDED_PG_USER = 'credence';
// A fixed password is fine: the cluster listens on 127.0.0.1 only and exists for local runs.
export const EMBEDDED_PG_PASSWORD = 'credence';
export const EMBEDDED_PG_DATABASE = 'credence';

export interface EmbeddedPostgresPlan {
  readonly kind: 'embedded';
  readonly dataDir: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

export type PostgresPlan = { readonly kind: 'external'; readonly url: string } | EmbeddedPostgresPlan;

export type Decision<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

function parsePort(raw: string, variable: string): Decision<number> {
  const port = Number(raw);
  return /^\d+$/.test(raw) && port >= 1 && port <= 65535
    ? { ok: true, value: port }
    : { ok: false, message: `${variable}=${raw} is not a TCP port (1-65535)` };
}

export function choosePostgres(env: Env, repoRoot: string): Decision<PostgresPlan> {
  const url = env.DATABASE_URL?.trim();
  if (url) return { ok: true, value: { kind: 'external', url } };
  const port = parsePort(env.CREDENCE_PG_PORT?.trim() || String(EMBEDDED_PG_DEFAULT_PORT), 'CREDENCE_PG_PORT');
  if (!port.ok) return port;
  return {
    ok: true,
    value: {
      kind: 'embedded',
      dataDir: join(repoRoot, '.data', 'postgres'),
      port: port.value,
      user: EMBEDDED_PG_USER,
      password: EMBEDDED_PG_PASSWORD,
      database: EMBEDDED_PG_DATABASE,
    },
  };
}

export function postgresUrl(plan: Omit<EmbeddedPostgresPlan, 'kind' | 'dataDir'>, database = plan.database): string {
  const user = encodeURIComponent(plan.user);
  const password = encodeURIComponent(plan.password);
  return `postgres://${user}:${password}@127.0.0.1:${plan.port}/${encodeURIComponent(database)}`;
}

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export interface NatsPlan {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Only a loopback address can be served by a nats-server we start ourselves. */
  readonly canStartLocally: boolean;
  readonly storeDir: string;
}

export function chooseNats(env: Env, repoRoot: string): Decision<NatsPlan> {
  const url = env.NATS_URL?.trim() || DEFAULT_NATS_URL;
  let parsed: URL;
  try {
    parsed = new URL(url.includes('://') ? url : `nats://${url}`);
  } catch {
    return { ok: false, message: `NATS_URL=${url} is not a URL (expected e.g. ${DEFAULT_NATS_URL})` };
  }
  const port = parsePort(parsed.port || '4222', 'NATS_URL port');
  if (!port.ok) return port;
  return {
    ok: true,
    value: {
      url,
      host: parsed.hostname,
      port: port.value,
      canStartLocally: LOOPBACK_HOSTS.has(parsed.hostname),
      storeDir: join(repoRoot, '.data', 'nats'),
    },
  };
}

export function natsServerArgs(port: number, storeDir: string): string[] {
  return ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir];
}

export function natsInstallHint(platform: NodeJS.Platform, url: string): string {
  const install =
    platform === 'darwin'
      ? 'brew install nats-server'
      : platform === 'linux'
        ? 'apt-get install nats-server (Debian/Ubuntu) or download it from https://github.com/nats-io/nats-server/releases'
        : 'download nats-server from https://github.com/nats-io/nats-server/releases';
  return (
    `Nothing answers at ${url} and nats-server is not on PATH. Install it (${install}) ` +
    'or point NATS_URL at a NATS >= 2.10 server with JetStream enabled.'
  );
}

export function childEnv(base: Env, service: ServiceName, databaseUrl: string, natsUrl: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined) env[key] = value;
  return { ...env, DATABASE_URL: databaseUrl, NATS_URL: natsUrl, PORT: String(SERVICE_PORTS[service]) };
}
