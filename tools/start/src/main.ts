import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKey } from '@credence/platform-auth';
import { childEnv, chooseNats, choosePostgres, natsInstallHint, SERVICE_NODE_ARGS, SERVICES } from './config.js';
import { findExecutable, probeNats, startNatsServer } from './nats.js';
import { startEmbeddedPostgres } from './postgres.js';
import { spawnManaged, type ManagedProcess } from './processes.js';

const SERVICE_STOP_GRACE_MS = 10_000;
const NATS_STOP_GRACE_MS = 5_000;

const log = (message: string) => process.stdout.write(`[start] ${message}\n`);

function findRepoRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

function fail(message: string): never {
  process.stderr.write(`[start] ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
  const stopSteps: { name: string; stop: () => Promise<unknown> }[] = [];
  const services: ManagedProcess[] = [];
  let stopping = false;

  // Runs once: services first, then what they depend on, in reverse start order.
  const shutdown = async (exitCode: number): Promise<never> => {
    if (stopping) return new Promise<never>(() => undefined);
    stopping = true;
    await Promise.all(services.map((service) => service.stop(SERVICE_STOP_GRACE_MS)));
    for (const step of stopSteps.reverse()) {
      log(`stopping ${step.name}`);
      await step.stop();
    }
    process.exit(exitCode);
  };
  // Reports a fatal problem after stopping what was already started, so no Postgres is left behind.
  const abort = (message: string): Promise<never> => {
    process.stderr.write(`[start] ${message}\n`);
    return shutdown(1);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return log(`${signal} again: already stopping`);
      log(`${signal}: stopping`);
      void shutdown(0);
    });
  }
  // Last resort if the launcher dies on a bug: children live in their own process groups, so without
  // this they would outlive it.
  process.on('exit', () => {
    for (const service of services) if (!service.hasExited()) service.child.kill('SIGKILL');
  });

  try {
    const postgresPlan = choosePostgres(process.env, repoRoot);
    if (!postgresPlan.ok) return abort(postgresPlan.message);
    let databaseUrl: string;
    if (postgresPlan.value.kind === 'external') {
      databaseUrl = postgresPlan.value.url;
      log('Postgres: using DATABASE_URL');
    } else {
      log(`Postgres: embedded, data in ${postgresPlan.value.dataDir}, port ${postgresPlan.value.port}`);
      const postgres = await startEmbeddedPostgres(postgresPlan.value, { log });
      if (!postgres.ok) return abort(postgres.message);
      databaseUrl = postgres.value.url;
      const running = postgres.value;
      if (running.startedByUs) stopSteps.push({ name: 'Postgres', stop: () => running.stop() });
    }

    const natsPlan = chooseNats(process.env, repoRoot);
    if (!natsPlan.ok) return abort(natsPlan.message);
    const nats = natsPlan.value;
    const probe = await probeNats(nats.host, nats.port);
    if (probe.answers) {
      if (!probe.jetstream) return abort(`NATS ${probe.version} at ${nats.url} answers but JetStream is not enabled`);
      log(`NATS: ${probe.version} with JetStream answers at ${nats.url}`);
    } else {
      if (!nats.canStartLocally) return abort(`nothing answers at NATS_URL=${nats.url}`);
      const executable = findExecutable('nats-server', process.env.PATH);
      if (executable === undefined) return abort(natsInstallHint(process.platform, nats.url));
      log(`NATS: nothing answers at ${nats.url}; starting ${executable} with JetStream, data in ${nats.storeDir}`);
      const server = await startNatsServer({ executable, port: nats.port, storeDir: nats.storeDir });
      if (!server.ok) return abort(server.message);
      stopSteps.push({ name: 'NATS', stop: () => server.value.stop(NATS_STOP_GRACE_MS) });
    }

    // Every service accepts this key as admin; a fresh one per boot unless the operator chose one.
    const given = process.env['CREDENCE_ADMIN_KEY'];
    const adminKey = given || generateKey().key;
    if (given) log('admin key: CREDENCE_ADMIN_KEY from the environment');
    else log(`admin key for this run (shown once; set CREDENCE_ADMIN_KEY to choose your own): ${adminKey}`);

    for (const spec of SERVICES) {
      const entry = resolve(repoRoot, spec.entry);
      if (!existsSync(entry)) {
        log(`${spec.name}: not built yet (${spec.entry} is missing); skipping it`);
        continue;
      }
      const env: Record<string, string> = { ...childEnv(process.env, spec.name, databaseUrl, nats.url), CREDENCE_ADMIN_KEY: adminKey };
      log(`${spec.name}: starting on port ${env.PORT}`);
      const service = spawnManaged(spec.name, process.execPath, [...SERVICE_NODE_ARGS, entry], { cwd: repoRoot, env });
      services.push(service);
      void service.exited.then((exit) => {
        if (stopping) return;
        log(`${spec.name} exited unexpectedly (code ${exit.code}, signal ${exit.signal}); stopping everything`);
        void shutdown(1);
      });
    }
    log(services.length === 0 ? 'no service is built yet; Postgres and NATS stay up until Ctrl-C' : 'running; Ctrl-C to stop');
  } catch (error) {
    return abort(`launcher bug: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}

await main().catch((error: unknown) => fail(`launcher bug: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
