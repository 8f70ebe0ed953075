import { err, ok, type Result } from '@credence/kernel';
import type { Versioned } from './model.js';

/** The version in force at `at`: the latest whose effectiveAt ≤ at. Undefined before the first. */
export function versionAt<V extends Versioned>(versions: readonly V[], at: number): V | undefined {
  let best: V | undefined;
  for (const v of versions) if (v.effectiveAt <= at && (best === undefined || v.effectiveAt > best.effectiveAt)) best = v;
  return best;
}

export type PublishRefusal = 'DUPLICATE_VERSION' | 'NOT_AFTER_LATEST' | 'RETROACTIVE_VERSION';

/**
 * Appends a version. Usage already priced must stay priced as it was, so a version may not
 * take effect before `now` (it may be announced ahead) nor before the latest one; the old
 * array is left as it was and a new one returned.
 */
export function publish<V extends Versioned>(versions: readonly V[], next: V, now: number): Result<readonly V[], PublishRefusal> {
  if (versions.some((v) => v.versionId === next.versionId)) return err('DUPLICATE_VERSION', next.versionId);
  if (next.effectiveAt < now) return err('RETROACTIVE_VERSION', `${next.versionId} takes effect before now`);
  const latest = versions.reduce((m, v) => Math.max(m, v.effectiveAt), Number.NEGATIVE_INFINITY);
  if (next.effectiveAt <= latest) return err('NOT_AFTER_LATEST', next.versionId);
  return ok(Object.freeze([...versions, next]));
}
