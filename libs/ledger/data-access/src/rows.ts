import {
  ledgerBalance,
  type AccountState,
  type Allocation,
  type Charge,
  type Grant,
  type GrantSource,
  type Hold,
  type HoldStatus,
  type Threshold,
} from '@credence/ledger-domain';
import type { Selectable } from 'kysely';
import type { LedgerDatabase } from './schema.js';

/** Row shapes of the ledger schema as pg returns them (int8 as bigint, timestamptz as Date), from its Kysely description. */
export type AccountRow = Omit<Selectable<LedgerDatabase['accounts']>, 'updated_at'>;
export type GrantRow = Selectable<LedgerDatabase['grants']>;
export type HoldRow = Selectable<LedgerDatabase['holds']>;
export type ChargeRow = Selectable<LedgerDatabase['charges']>;

export const grantFromRow = (r: GrantRow): Grant => ({
  id: r.grant_id,
  source: r.source as GrantSource,
  amount: r.amount,
  remaining: r.remaining,
  priority: r.priority,
  effectiveAt: r.effective_at.getTime(),
  expiresAt: r.expires_at === null ? null : r.expires_at.getTime(),
  expired: r.expired,
});

export const holdFromRow = (r: HoldRow): Hold => ({
  id: r.hold_id,
  amount: r.amount,
  status: r.status as HoldStatus,
  placedAt: r.placed_at.getTime(),
  expiresAt: r.expires_at.getTime(),
  resource: r.resource,
});

export const chargeFromRow = (r: ChargeRow): Charge => ({
  id: r.charge_id,
  amount: r.amount,
  debtIncurred: r.debt_incurred,
  refunded: r.refunded,
  allocations: r.allocations.map((a): Allocation => ({ grantId: a.grantId, amount: BigInt(a.amount) })),
});

export function stateFromRows(account: AccountRow, grants: GrantRow[], holds: HoldRow[], charges: ChargeRow[]): AccountState {
  const thresholds = new Map<string, Threshold>();
  for (const [name, t] of Object.entries(account.thresholds)) thresholds.set(name, { name, level: BigInt(t.level), armed: t.armed });
  return {
    accountId: account.account_id,
    version: Number(account.version),
    grants: new Map(grants.map((g) => [g.grant_id, grantFromRow(g)])),
    holds: new Map(holds.map((h) => [h.hold_id, holdFromRow(h)])),
    charges: new Map(charges.map((c) => [c.charge_id, chargeFromRow(c)])),
    debt: account.debt,
    thresholds,
    allowance:
      account.allowance_free_monthly === null
        ? null
        : { freeMonthly: account.allowance_free_monthly, anchorDay: account.allowance_anchor_day ?? 1 },
    lastResetPeriod: account.last_reset_period,
  };
}

/** The projected account row: event-driven sums, independent of the clock, so a rebuild reproduces it. */
export function accountRow(state: AccountState): AccountRow {
  const sums = { free: 0n, plan: 0n, purchased: 0n, promo: 0n, adjustment: 0n };
  const bucket: Record<GrantSource, keyof typeof sums> = {
    free_monthly: 'free',
    plan_allocation: 'plan',
    purchase: 'purchased',
    promo: 'promo',
    adjustment: 'adjustment',
  };
  for (const g of state.grants.values()) if (!g.expired) sums[bucket[g.source]] += g.remaining;
  let held = 0n;
  for (const h of state.holds.values()) if (h.status === 'open') held += h.amount;
  const thresholds: AccountRow['thresholds'] = {};
  for (const t of [...state.thresholds.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    thresholds[t.name] = { level: t.level.toString(), armed: t.armed };
  }
  return {
    account_id: state.accountId,
    version: BigInt(state.version),
    balance: ledgerBalance(state),
    debt: state.debt,
    held,
    ...sums,
    allowance_free_monthly: state.allowance?.freeMonthly ?? null,
    allowance_anchor_day: state.allowance?.anchorDay ?? null,
    last_reset_period: state.lastResetPeriod,
    thresholds,
  };
}
