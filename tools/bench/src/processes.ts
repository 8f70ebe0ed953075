import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * What the benchmarks read about the processes they run from /proc (Linux): peak memory, and CPU
 * time per process so that a phase's figure can be put next to who was busy during it.
 */

/** The Node flags `npm start` (SERVICE_NODE_ARGS in tools/start) and the containers give a service. */
export const SERVICE_NODE_ARGS = '--max-old-space-size=384 --max-semi-space-size=32';

/**
 * A service's Node flags: the services' own unless `override` (an environment variable's value)
 * replaces them, plus a V8 CPU profile named `<name>.cpuprofile` in BENCH_PROFILE_DIR when it is set.
 */
export function serviceNodeArgs(name: string, override: string | undefined): string[] {
  const dir = process.env['BENCH_PROFILE_DIR'];
  return [...(override ?? SERVICE_NODE_ARGS).split(' ').filter(Boolean), ...(dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}.cpuprofile`] : [])];
}

/** Peak resident set (VmHWM) of a running process, in MB. */
export function peakRssMb(pid: number): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

/** Clock ticks per second of /proc/<pid>/stat times: 100 on every Linux the benchmarks run on. */
const TICKS_PER_S = 100;

/**
 * CPU seconds (user + system) used so far by each process, labelled: our services by pid, Postgres
 * and NATS by process name, every other process as "other processes"; and the machine's busy time.
 */
export type CpuSnapshot = {
  readonly at: number;
  readonly processes: ReadonlyMap<number, { readonly label: string; readonly seconds: number }>;
  readonly machine: number;
};

export function cpuSnapshot(services: ReadonlyMap<number, string>): CpuSnapshot {
  const processes = new Map<number, { label: string; seconds: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // "pid (comm) state ..." where comm may hold spaces: split after the last ')'.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    const pid = Number(entry);
    const label = pid === process.pid ? 'bench' : (services.get(pid) ?? (comm === 'postgres' ? 'postgres' : comm === 'nats-server' ? 'nats' : 'other processes'));
    processes.set(pid, { label, seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S });
  }
  const [user, nice, system, , , irq, softirq, steal] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').split(/\s+/).slice(1).map(Number);
  const machine = ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / TICKS_PER_S;
  return { at: performance.now(), processes, machine };
}

/** CPU seconds per label between two snapshots, busiest first; "interrupts" as in describeCpu. */
export interface CpuUsage {
  readonly wallSeconds: number;
  readonly machineSeconds: number;
  readonly byLabel: ReadonlyArray<readonly [string, number]>;
}

export function cpuUsage(from: CpuSnapshot, to: CpuSnapshot): CpuUsage {
  const byLabel = new Map<string, number>();
  for (const [pid, p] of to.processes) byLabel.set(p.label, (byLabel.get(p.label) ?? 0) + p.seconds - (from.processes.get(pid)?.seconds ?? 0));
  const charged = [...byLabel.values()].reduce((a, b) => a + b, 0);
  byLabel.set('interrupts', to.machine - from.machine - charged);
  return {
    wallSeconds: (to.at - from.at) / 1000,
    machineSeconds: to.machine - from.machine,
    byLabel: [...byLabel].map(([label, s]) => [label, Math.max(0, s)] as const).sort((a, b) => b[1] - a[1]),
  };
}

/** Cores used on average by `label` over the interval. */
export const coresOf = (u: CpuUsage, label: string): number => (u.byLabel.find(([l]) => l === label)?.[1] ?? 0) / u.wallSeconds;

/**
 * "1.97 of 2 cores busy: metering 0.93, ledger 0.41, ...": cores used on average, busiest first;
 * with `operations`, also the CPU milliseconds each took per operation. "interrupts" is the
 * machine's busy time that no process was charged with (softirq: loopback networking, mostly),
 * less the share of processes that ended meanwhile.
 */
export function describeCpu(u: CpuUsage, operations?: number): string {
  const cores = `${(u.machineSeconds / u.wallSeconds).toFixed(2)} of ${availableParallelism()} cores busy: ${u.byLabel.map(([label, s]) => `${label} ${(s / u.wallSeconds).toFixed(2)}`).join(', ')}`;
  if (!operations) return cores;
  const ms = (s: number) => ((s * 1000) / operations).toFixed(2);
  return `${cores}\n  CPU per operation: ${ms(u.machineSeconds)} ms in all: ${u.byLabel.map(([label, s]) => `${label} ${ms(s)}`).join(', ')}`;
}
