import { inspect } from 'node:util';

export interface WaitForOptions {
  /** Named in the timeout error, e.g. 'the ledger to show balance 40'. */
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
}

export const WAIT_FOR_DEFAULTS = { timeoutMs: 10_000, intervalMs: 50 } as const;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `predicate` until it returns something truthy and returns that. A throw counts as "not
 * yet" (a service still starting refuses connections); the last one is quoted on timeout.
 */
export async function waitFor<T>(predicate: () => T | Promise<T>, options: WaitForOptions): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? WAIT_FOR_DEFAULTS.timeoutMs;
  const intervalMs = options.intervalMs ?? WAIT_FOR_DEFAULTS.intervalMs;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
  const detail = lastError === undefined ? '' : `; last error: ${lastError instanceof Error ? lastError.message : inspect(lastError)}`;
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${options.what}${detail}`, { cause: lastError });
}
