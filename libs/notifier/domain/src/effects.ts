import { notification, type Notification, type NotificationValue } from './notification.js';
import { amount, integer, MalformedEvent, object, optionalAmount, optionalText, optionalTime, text, time, type Plain } from './reader.js';

/** A grant with an expiry: a `credits_expiring` notice is due at `notifyAt`, unless it expires first. */
export interface Reminder {
  readonly accountId: string;
  readonly grantId: string;
  readonly source: string;
  /** What the grant gave (a decimal string); what is left of it is not followed (see README). */
  readonly amount: string;
  readonly expiresAt: number;
  readonly notifyAt: number;
}

/** What one consumed event asks the notifier to do. Several effects of one batch commit together. */
export type Effect =
  | { readonly type: 'notify'; readonly notification: Notification }
  /** One notification per account subscribed to the catalog, built by `subscriberNotification`. */
  | {
      readonly type: 'notify_subscribers';
      readonly catalogId: string;
      readonly cause: string;
      readonly occurredAt: number;
      readonly data: Notification['data'];
    }
  | { readonly type: 'schedule_reminder'; readonly reminder: Reminder }
  | { readonly type: 'cancel_reminder'; readonly accountId: string; readonly grantId: string }
  | { readonly type: 'set_subscription'; readonly accountId: string; readonly catalogId: string; readonly planId: string; readonly at: number };

export interface MappingOptions {
  /** How long before a grant's expiry its `credits_expiring` notice is due (7 days in production). */
  readonly expiryNoticeMs: number;
  /**
   * Thresholds whose crossing is nobody's news: recharge's own (`auto-recharge`) is followed by a
   * recharge notification, which says more.
   */
  readonly ignoredThresholds: ReadonlySet<string>;
}

const notify = (n: Notification): Effect => ({ type: 'notify', notification: n });

/**
 * A LEDGER envelope (`LedgerEventEnvelope`): `BalanceLow` → balance_low, `PeriodReset` →
 * monthly_reset, `GrantIssued` with an expiry → a reminder, `GrantExpired` → its reminder cancelled.
 * Every other type concerns nobody here.
 */
export function fromLedgerEvent(raw: unknown, options: MappingOptions): Effect[] {
  const e = object(raw, '(body)');
  const id = text(e, 'id');
  const accountId = text(e, 'accountId');
  const type = text(e, 'type');
  const at = time(e, 'at');
  const data = object(e['data'], 'data');
  switch (type) {
    case 'BalanceLow': {
      const threshold = text(data, 'threshold', 'data.');
      if (options.ignoredThresholds.has(threshold)) return [];
      return [notify(notification('balance_low', id, accountId, at, { threshold, level: amount(data, 'level', 'data.'), available: amount(data, 'available', 'data.') }))];
    }
    case 'PeriodReset': {
      const period = text(data, 'period', 'data.');
      // One reset per account and period (a ledger invariant): the period names the cause.
      return [
        notify(
          notification('monthly_reset', `${accountId}#${period}`, accountId, at, {
            period,
            periodStart: iso(time(data, 'periodStart', 'data.')),
            periodEnd: iso(time(data, 'periodEnd', 'data.')),
          }),
        ),
      ];
    }
    case 'GrantIssued': {
      const expiresAt = optionalTime(data, 'expiresAt', 'data.');
      if (expiresAt === null) return [];
      const effectiveAt = optionalTime(data, 'effectiveAt', 'data.') ?? at;
      return [
        {
          type: 'schedule_reminder',
          reminder: {
            accountId,
            grantId: text(data, 'grantId', 'data.'),
            source: text(data, 'source', 'data.'),
            amount: amount(data, 'amount', 'data.'),
            expiresAt,
            // A grant that starts inside its own notice window is announced when it starts.
            notifyAt: Math.max(expiresAt - options.expiryNoticeMs, effectiveAt),
          },
        },
      ];
    }
    case 'GrantExpired':
      return [{ type: 'cancel_reminder', accountId, grantId: text(data, 'grantId', 'data.') }];
    default:
      return [];
  }
}

/** The `credits_expiring` notification of a reminder: once per grant, dated when it was due. */
export function reminderNotification(r: Reminder): Notification {
  return notification('credits_expiring', `${r.accountId}#${r.grantId}`, r.accountId, r.notifyAt, {
    grantId: r.grantId,
    source: r.source,
    amount: r.amount,
    expiresAt: iso(r.expiresAt),
  });
}

/** A reminder is fired only while its grant is still alive: past its expiry, the news is stale. */
export const reminderStillRelevant = (r: Pick<Reminder, 'expiresAt'>, now: number): boolean => r.expiresAt > now;

/**
 * A RECHARGE event (`RechargeEvent`). Declines of one purchase are told once (the first), and
 * giving up is told once more; success, a skip and auto-recharge being disabled once each.
 */
export function fromRechargeEvent(raw: unknown): Effect[] {
  const e = object(raw, '(body)');
  const id = text(e, 'id');
  const type = text(e, 'type');
  const accountId = text(e, 'accountId');
  const at = time(e, 'at');
  const purchaseId = optionalText(e, 'purchaseId');
  const purchase = (): Record<string, NotificationValue> => ({
    purchaseId,
    trigger: text(e, 'trigger'),
    packId: optionalText(e, 'packId'),
    credits: optionalAmount(e, 'credits'),
    amountMinor: optionalAmount(e, 'amountMinor'),
    currency: optionalText(e, 'currency'),
  });
  const reason = optionalText(e, 'reason');
  switch (type) {
    case 'PurchaseSucceeded':
      return [notify(notification('recharge_succeeded', purchaseId ?? id, accountId, at, purchase()))];
    case 'PurchaseDeclined':
    case 'PurchaseAbandoned': {
      const final = type === 'PurchaseAbandoned';
      const data = { ...purchase(), attempt: integer(e, 'attempt'), reason, final };
      return [notify(notification('recharge_failed', `${purchaseId ?? id}#${final ? 'abandoned' : 'declined'}`, accountId, at, data))];
    }
    case 'PurchaseSkipped':
      return [notify(notification('recharge_skipped', id, accountId, at, { ...purchase(), reason }))];
    case 'AutoRechargeDisabled':
      return [notify(notification('auto_recharge_disabled', id, accountId, at, { reason }))];
    default:
      // PurchaseRequested, and types a newer recharge may add: nothing to tell.
      return [];
  }
}

/** A METERING event: `LimitReached` → limit_reached; `SubscriptionSet` → who a catalog's price change concerns. */
export function fromMeteringEvent(raw: unknown): Effect[] {
  const e = object(raw, '(body)');
  const type = text(e, 'type');
  switch (type) {
    case 'LimitReached':
      return [
        notify(
          notification('limit_reached', text(e, 'id'), text(e, 'accountId'), time(e, 'at'), {
            limit: text(e, 'limit'),
            period: text(e, 'period'),
            value: amount(e, 'value'),
          }),
        ),
      ];
    case 'SubscriptionSet':
      return [{ type: 'set_subscription', accountId: text(e, 'accountId'), catalogId: text(e, 'catalogId'), planId: text(e, 'planId'), at: time(e, 'at') }];
    default:
      return [];
  }
}

/** `catalog.v1.price_change.announced` (`PriceChangeAnnouncedEvent`): every account subscribed to the catalog. */
export function fromPriceChange(raw: unknown): Effect[] {
  const e = object(raw, '(body)');
  const catalogId = text(e, 'catalogId');
  const revision = integer(e, 'revision');
  const rawChanges = e['changes'];
  if (!Array.isArray(rawChanges)) throw new MalformedEvent('changes', 'must be an array');
  const changes = rawChanges.map((c: unknown, i) => {
    const o: Plain = object(c, `changes.${i}`);
    const p = `changes.${i}.`;
    return { kind: text(o, 'kind', p), id: text(o, 'id', p), versionId: text(o, 'versionId', p), effectiveAt: iso(time(o, 'effectiveAt', p)) };
  });
  return [{ type: 'notify_subscribers', catalogId, cause: `${catalogId}#${revision}`, occurredAt: time(e, 'announcedAt'), data: { catalogId, revision, changes } }];
}

export function subscriberNotification(effect: Extract<Effect, { type: 'notify_subscribers' }>, accountId: string): Notification {
  return notification('price_change', `${effect.cause}#${accountId}`, accountId, effect.occurredAt, effect.data);
}

/** A cause older than this when consumed (a replay, a long outage) is not worth telling anyone. */
export const isStale = (occurredAt: number, now: number, maxCauseAgeMs: number): boolean => now - occurredAt > maxCauseAgeMs;

/**
 * Whether an effect is still worth recording when consumed at `now`: notifications of stale causes
 * are dropped (a first start replays a year of LEDGER), and so are reminders of grants already
 * expired. Reminders of older grants that are still alive are kept: they are due, not stale.
 */
export function stillNews(e: Effect, now: number, maxCauseAgeMs: number): boolean {
  switch (e.type) {
    case 'notify':
      return !isStale(e.notification.occurredAt, now, maxCauseAgeMs);
    case 'notify_subscribers':
      return !isStale(e.occurredAt, now, maxCauseAgeMs);
    case 'schedule_reminder':
      return reminderStillRelevant(e.reminder, now);
    case 'cancel_reminder':
    case 'set_subscription':
      return true;
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();
