import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Settles once the process has exited, whoever stopped it. */
  readonly exited: Promise<Exit>;
  readonly hasExited: () => boolean;
  /** Sends `signal`, then SIGKILL if the process is still alive after `graceMs`. */
  stop(graceMs: number, signal?: NodeJS.Signals): Promise<Exit>;
}

export interface SpawnOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly uid?: number;
  readonly gid?: number;
  readonly stdout?: Writable;
  readonly stderr?: Writable;
}

function prefixLines(source: Readable | null, prefix: string, target: Writable): void {
  if (source === null) return;
  createInterface({ input: source, crlfDelay: Infinity }).on('line', (line) => target.write(`${prefix}${line}\n`));
}

/**
 * Starts a process in its own process group, so a Ctrl-C in the terminal reaches only the launcher
 * and the launcher decides the shutdown order. Its output is copied line by line, prefixed `[name]`.
 */
export function spawnManaged(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): ManagedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    uid: options.uid,
    gid: options.gid,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${name}] `;
  prefixLines(child.stdout, prefix, options.stdout ?? process.stdout);
  prefixLines(child.stderr, prefix, options.stderr ?? process.stderr);

  let exitedYet = false;
  const exited = new Promise<Exit>((resolve) => {
    // 'error' covers a failed spawn (no 'exit' follows); 'exit' covers everything else.
    child.once('error', () => {
      exitedYet = true;
      resolve({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => {
      exitedYet = true;
      resolve({ code, signal });
    });
  });

  const stop = async (graceMs: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> => {
    if (exitedYet) return exited;
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const first = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (first !== 'timeout') return first;
    child.kill('SIGKILL');
    return exited;
  };

  return { name, child, exited, hasExited: () => exitedYet, stop };
}
