import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface SpawnOptions {
  command: string;
  args?: string[];
  /** Added over the test's own environment (PATH and the like stay). */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** When given, spawnProcess resolves only once a stdout or stderr line matches. */
  readyLine?: RegExp;
  readyTimeoutMs?: number;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedProcess {
  readonly pid: number;
  /** Lines captured so far, without line endings. */
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
  /** stdout and stderr lines interleaved in arrival order. */
  readonly lines: readonly string[];
  /** Resolves once the process has exited and its output is fully read. Never rejects. */
  readonly exited: Promise<ProcessExit>;
  /** Set once exited. */
  readonly exit: ProcessExit | undefined;
  /**
   * Resolves with the first line (stdout or stderr) from index `from` of `lines` on that matches.
   * Pass `from: proc.lines.length` to wait only for lines still to come (after a restart, say).
   * Rejects on timeout or when the process ends first, quoting the output's tail.
   */
  waitForLine(pattern: RegExp, timeoutMs: number, options?: { from?: number }): Promise<string>;
  /** Signals the whole process group (so `npm run x` takes its node child along) and awaits the exit. */
  kill(signal?: NodeJS.Signals): Promise<ProcessExit>;
  /** `signal` (SIGTERM: a graceful stop), then SIGKILL if still running after `graceMs`: cleanup never hangs. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<ProcessExit>;
}

export const SPAWN_DEFAULTS = { readyTimeoutMs: 30_000, stopGraceMs: 5_000, outputTailLines: 30 } as const;

const running = new Set<SpawnedProcess>();
let exitHookInstalled = false;

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // Negative pid: the group this child leads (it was spawned detached).
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test run that dies without stopAll() must not leave services holding ports and consumers.
  process.on('exit', () => {
    for (const handle of running) {
      try {
        process.kill(-handle.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

class Spawned implements SpawnedProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly lines: string[] = [];
  readonly exited: Promise<ProcessExit>;
  exit: ProcessExit | undefined;
  private spawnError: Error | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly child: ChildProcess,
    private readonly label: string,
  ) {
    const capture = (stream: NodeJS.ReadableStream | null, into: string[]) => {
      if (stream === null) return;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line: string) => {
        into.push(line);
        this.lines.push(line);
        this.notify();
      });
    };
    capture(child.stdout, this.stdout);
    capture(child.stderr, this.stderr);
    this.exited = new Promise<ProcessExit>((resolve) => {
      child.on('error', (error) => {
        this.spawnError = error;
        // A process that never started emits no 'close'.
        if (child.pid === undefined) this.finish({ code: null, signal: null }, resolve);
      });
      child.on('close', (code, signal) => this.finish({ code, signal }, resolve));
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  private finish(exit: ProcessExit, resolve: (exit: ProcessExit) => void): void {
    if (this.exit !== undefined) return;
    this.exit = exit;
    running.delete(this);
    resolve(exit);
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private tail(): string {
    return this.lines.slice(-SPAWN_DEFAULTS.outputTailLines).join('\n');
  }

  waitForLine(pattern: RegExp, timeoutMs: number, options: { from?: number } = {}): Promise<string> {
    let next = options.from ?? 0;
    return new Promise<string>((resolve, reject) => {
      const done = (outcome: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        outcome();
      };
      const check = () => {
        for (; next < this.lines.length; next++) {
          const line = this.lines[next] ?? '';
          if (pattern.test(line)) return done(() => resolve(line));
        }
        if (this.exit !== undefined) {
          const why = this.spawnError?.message ?? `exit code ${String(this.exit.code)}, signal ${String(this.exit.signal)}`;
          done(() => reject(new Error(`${this.label} ended (${why}) before printing ${String(pattern)}. Output tail:\n${this.tail()}`)));
        }
      };
      const timer = setTimeout(() => {
        done(() => reject(new Error(`${this.label} printed no line matching ${String(pattern)} within ${timeoutMs} ms. Output tail:\n${this.tail()}`)));
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<ProcessExit> {
    if (this.exit === undefined) signalGroup(this.child, signal);
    return this.exited;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs: number = SPAWN_DEFAULTS.stopGraceMs): Promise<ProcessExit> {
    const escalate = setTimeout(() => void this.kill('SIGKILL'), graceMs);
    try {
      return await this.kill(signal);
    } finally {
      clearTimeout(escalate);
    }
  }
}

/** Starts a process in its own process group, capturing its output line by line. */
export async function spawnProcess(options: SpawnOptions): Promise<SpawnedProcess> {
  installExitHook();
  const args = options.args ?? [];
  const child = spawn(options.command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const handle = new Spawned(child, `process "${[options.command, ...args].join(' ')}"`);
  if (child.pid !== undefined) running.add(handle);
  if (options.readyLine !== undefined) {
    try {
      await handle.waitForLine(options.readyLine, options.readyTimeoutMs ?? SPAWN_DEFAULTS.readyTimeoutMs);
    } catch (error) {
      await handle.kill('SIGKILL');
      throw error;
    }
  }
  return handle;
}

/**
 * Stops every process spawnProcess started that is still running: SIGTERM, then SIGKILL for any
 * still there after `graceMs`. Call it in afterAll (or afterEach).
 */
export async function stopAll(graceMs: number = SPAWN_DEFAULTS.stopGraceMs): Promise<void> {
  await Promise.all([...running].map((handle) => handle.stop('SIGTERM', graceMs)));
}
