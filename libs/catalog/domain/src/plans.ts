import { assertNever } from '@credence/kernel';
import type { Allowed, PlanVersion, Usage } from './model.js';

/** Whether the plan's own purchase rule lets it buy this pack. */
export function canBuyPack(plan: PlanVersion, packId: string): boolean {
  switch (plan.packs.kind) {
    case 'none':
      return false;
    case 'all':
      return true;
    case 'only':
      return plan.packs.packIds.includes(packId);
    default:
      return assertNever(plan.packs, 'pack rule');
  }
}

/** How many of the period's unused allocation credits carry into the next period. */
export function rollover(plan: PlanVersion, unusedCredits: bigint): bigint {
  if (unusedCredits <= 0n) return 0n;
  const rule = plan.rollover;
  switch (rule.kind) {
    case 'none':
      return 0n;
    case 'all':
      return unusedCredits;
    case 'cap':
      return unusedCredits < rule.capCredits ? unusedCredits : rule.capCredits;
    default:
      return assertNever(rule, 'rollover rule');
  }
}

const allows = (allowed: Allowed, id: string): boolean => allowed === 'all' || allowed.includes(id);

/** Whether the plan may run this kind of usage at all (models, unit generators, features). */
export function planAllows(plan: PlanVersion, usage: Usage): boolean {
  switch (usage.kind) {
    case 'tokens':
      return allows(plan.models, usage.model);
    case 'units':
      return allows(plan.models, usage.unit);
    case 'feature':
      return allows(plan.features, usage.feature);
    default:
      return assertNever(usage, 'usage');
  }
}
