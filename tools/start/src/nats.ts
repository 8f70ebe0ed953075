import { accessSync, constants, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import type { Writable } from 'node:stream';
import { natsServerArgs, type Decision } from './config.js';
import { spawnManaged, type ManagedProcess } from './processes.js';

export type NatsProbe =
  | { readonly answers: false }
  | { readonly answers: true; readonly version: string; readonly jetstream: boolean };

/** Reads the INFO line a NATS server sends on connect, e.g. `INFO {"version":"2.10.0","jetstream":true}`. */
export function parseNatsInfo(line: string): NatsProbe {
  const match = /^INFO\s+(\{.*\})\s*$/.exec(line);
  if (match?.[1] === undefined) return { answers: false };
  try {
    const info = JSON.parse(match[1]) as { version?: unknown; jetstream?: unknown };
    return { answers: true, version: typeof info.version === 'string' ? info.version : 'unknown', jetstream: info.jetstream === true };
  } catch {
    return { answers: false };
  }
}

/** Whether a NATS server answers at host:port; anything else (refused, silent, not NATS) is "no". */
export function probeNats(host: string, port: number, timeoutMs = 1_000): Promise<NatsProbe> {
  return new Promise((resolve) => {
    const socket = connect({ host: host.replace(/^\[|\]$/g, ''), port });
    let received = '';
    const finish = (probe: NatsProbe) => {
      socket.destroy();
      resolve(probe);
    };
    socket.setTimeout(timeoutMs, () => finish({ answers: false }));
    socket.on('error', () => finish({ answers: false }));
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
      const end = received.indexOf('\r\n');
      if (end >= 0) finish(parseNatsInfo(received.slice(0, end)));
    });
    socket.on('end', () => finish({ answers: false }));
  });
}

export function findExecutable(name: string, pathVariable: string | undefined): string | undefined {
  for (const dir of (pathVariable ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      if (statSync(candidate).isFile()) {
        accessSync(candidate, constants.X_OK);
        return candidate;
      }
    } catch {
      // Not here; keep looking along PATH.
    }
  }
  return undefined;
}

export interface StartNatsOptions {
  readonly executable: string;
  readonly port: number;
  readonly storeDir: string;
  readonly readyTimeoutMs?: number;
  /** Where nats-server's log lines go, prefixed `[nats]`; stdout/stderr unless given. */
  readonly output?: Writable;
}

/** Starts nats-server with JetStream on 127.0.0.1 and resolves once it answers. */
export async function startNatsServer(options: StartNatsOptions): Promise<Decision<ManagedProcess>> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  await mkdir(options.storeDir, { recursive: true });
  const server = spawnManaged('nats', options.executable, natsServerArgs(options.port, options.storeDir), {
    stdout: options.output,
    stderr: options.output,
  });
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (server.hasExited()) {
      const exit = await server.exited;
      return { ok: false, message: `nats-server exited before answering (code ${exit.code}, signal ${exit.signal})` };
    }
    const probe = await probeNats('127.0.0.1', options.port, 500);
    if (probe.answers) return { ok: true, value: server };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await server.stop(2_000);
  return { ok: false, message: `nats-server did not answer on 127.0.0.1:${options.port} within ${readyTimeoutMs} ms` };
}
