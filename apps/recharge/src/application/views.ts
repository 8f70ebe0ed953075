import type { AttemptLine, PaymentMethod, Purchase, Settings } from '@credence/recharge-data-access';

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** A purchase on the wire: amounts as decimal strings, times ISO-8601 UTC, its log in order. */
export const purchaseView = (p: Purchase, history: readonly AttemptLine[]) => ({
  id: p.id,
  accountId: p.accountId,
  trigger: p.trigger,
  key: p.key,
  cause: p.cause,
  packId: p.packId,
  packVersion: p.packVersion,
  credits: p.credits?.toString() ?? null,
  amountMinor: p.amountMinor?.toString() ?? null,
  currency: p.currency,
  paymentMethodId: p.paymentMethodId,
  status: p.status,
  reason: p.reason,
  attempts: p.attempts,
  nextAttemptAt: iso(p.nextAttemptAt),
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
  paidAt: iso(p.paidAt),
  grantedAt: iso(p.grantedAt),
  history: history.map((h) => ({ attempt: h.attempt, outcome: h.outcome, detail: h.detail, at: h.at.toISOString() })),
});

export type PurchaseView = ReturnType<typeof purchaseView>;

export const settingsView = (s: Settings) => ({
  accountId: s.accountId,
  enabled: s.enabled,
  packId: s.packId,
  threshold: s.threshold.toString(),
  monthlyLimitMinor: s.monthlyLimitMinor?.toString() ?? null,
  currency: s.currency,
  paymentMethodId: s.paymentMethodId,
  enabledSince: iso(s.enabledSince),
  consecutiveFailures: s.consecutiveFailures,
  disabledReason: s.disabledReason,
  /** Whether the ledger's `auto-recharge` threshold already matches these settings. */
  ledgerThreshold: s.ledgerThresholdVersion === s.version ? ('configured' as const) : ('pending' as const),
  updatedAt: s.updatedAt.toISOString(),
});

export type SettingsView = ReturnType<typeof settingsView>;

export const methodView = (m: PaymentMethod, isDefault: boolean) => ({ id: m.id, accountId: m.accountId, brand: m.brand, last4: m.last4, default: isDefault, createdAt: m.createdAt.toISOString() });
