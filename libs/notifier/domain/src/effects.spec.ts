import {
  fromLedgerEvent,
  fromMeteringEvent,
  fromPriceChange,
  fromRechargeEvent,
  isStale,
  stillNews,
  reminderNotification,
  reminderStillRelevant,
  subscriberNotification,
  type Effect,
  type MappingOptions,
} from './effects.js';
import { notificationBody, notificationId, type Notification } from './notification.js';
import { MalformedEvent } from './reader.js';

const DAY = 86_400_000;
const options: MappingOptions = { expiryNoticeMs: 7 * DAY, ignoredThresholds: new Set(['auto-recharge']) };
const ledger = (type: string, data: Record<string, unknown>, id = 'acct#k1#1') => ({
  id,
  seq: '42',
  accountId: 'acct',
  type,
  at: '2026-11-21T08:00:00.000Z',
  commandKey: 'k1',
  balanceAfter: '100',
  data: { type, at: '2026-11-21T08:00:00.000Z', ...data },
});
const notified = (effects: Effect[]): Notification[] => effects.flatMap((e) => (e.type === 'notify' ? [e.notification] : []));

describe('ledger events', () => {
  it('given BalanceLow, then one balance_low whose cause is the event id, with the threshold and amounts', () => {
    const [n, ...rest] = notified(fromLedgerEvent(ledger('BalanceLow', { threshold: 'low', level: '500', available: '400' }), options));
    expect(rest).toEqual([]);
    expect(n).toEqual({
      id: notificationId('balance_low:acct#k1#1'),
      causeId: 'balance_low:acct#k1#1',
      kind: 'balance_low',
      accountId: 'acct',
      occurredAt: Date.UTC(2026, 10, 21, 8),
      data: { threshold: 'low', level: '500', available: '400' },
    });
  });

  it("given the same event twice, then the same cause and the same body (what makes a repeat a no-op)", () => {
    const twice = [1, 2].map(() => notified(fromLedgerEvent(ledger('BalanceLow', { threshold: 'low', level: '500', available: '400' }), options))[0]!);
    expect(twice[0]).toEqual(twice[1]);
    expect(notificationBody(twice[0]!)).toBe(notificationBody(twice[1]!));
    expect(JSON.parse(notificationBody(twice[0]!))).toEqual({
      id: twice[0]!.id,
      kind: 'balance_low',
      accountId: 'acct',
      occurredAt: '2026-11-21T08:00:00.000Z',
      data: { threshold: 'low', level: '500', available: '400' },
    });
  });

  it("given recharge's own threshold, then nothing: the recharge outcome is the news", () => {
    expect(fromLedgerEvent(ledger('BalanceLow', { threshold: 'auto-recharge', level: '500', available: '400' }), options)).toEqual([]);
  });

  it('given PeriodReset, then monthly_reset caused by the account and period', () => {
    const [n] = notified(fromLedgerEvent(ledger('PeriodReset', { period: '2026-12', periodStart: '2026-12-01T00:00:00.000Z', periodEnd: '2027-01-01T00:00:00.000Z' }), options));
    expect(n).toMatchObject({ kind: 'monthly_reset', causeId: 'monthly_reset:acct#2026-12', data: { period: '2026-12', periodEnd: '2027-01-01T00:00:00.000Z' } });
  });

  it('given a grant with an expiry, then a reminder due 7 days before it; without one, nothing', () => {
    const grant = { grantId: 'g1', source: 'promo', amount: '1000', priority: 30, effectiveAt: '2026-11-21T08:00:00.000Z', reason: null };
    expect(fromLedgerEvent(ledger('GrantIssued', { ...grant, expiresAt: '2026-12-31T00:00:00.000Z' }), options)).toEqual([
      {
        type: 'schedule_reminder',
        reminder: { accountId: 'acct', grantId: 'g1', source: 'promo', amount: '1000', expiresAt: Date.UTC(2026, 11, 31), notifyAt: Date.UTC(2026, 11, 24) },
      },
    ]);
    expect(fromLedgerEvent(ledger('GrantIssued', { ...grant, expiresAt: null }), options)).toEqual([]);
  });

  it('given a grant that starts inside its notice window, then its reminder is due when it starts', () => {
    const [e] = fromLedgerEvent(
      ledger('GrantIssued', { grantId: 'g2', source: 'promo', amount: '5', priority: 30, effectiveAt: '2026-12-28T00:00:00.000Z', expiresAt: '2026-12-31T00:00:00.000Z', reason: null }),
      options,
    );
    expect(e).toMatchObject({ type: 'schedule_reminder', reminder: { notifyAt: Date.UTC(2026, 11, 28) } });
  });

  it('given GrantExpired, then its reminder is cancelled; other events concern nobody', () => {
    expect(fromLedgerEvent(ledger('GrantExpired', { grantId: 'g1', amount: '3' }), options)).toEqual([{ type: 'cancel_reminder', accountId: 'acct', grantId: 'g1' }]);
    expect(fromLedgerEvent(ledger('UsageDeducted', { chargeId: 'c', amount: '3', allocations: [] }), options)).toEqual([]);
  });

  it('given a malformed envelope, then MalformedEvent names the field', () => {
    expect(() => fromLedgerEvent({ id: 'x' }, options)).toThrow(new MalformedEvent('accountId', 'must be a non-empty string'));
    expect(() => fromLedgerEvent(ledger('BalanceLow', { threshold: 'low', level: 5, available: '4' }), options)).toThrow(/data\.level/);
    expect(() => fromLedgerEvent('nope', options)).toThrow(MalformedEvent);
  });
});

describe('reminders', () => {
  const r = { accountId: 'acct', grantId: 'free#2026-12', source: 'free_monthly', amount: '1000000', expiresAt: Date.UTC(2027, 0, 1), notifyAt: Date.UTC(2026, 11, 25) };
  it('given a due reminder, then one credits_expiring per grant, dated when it was due', () => {
    expect(reminderNotification(r)).toMatchObject({
      causeId: 'credits_expiring:acct#free#2026-12',
      occurredAt: r.notifyAt,
      data: { grantId: 'free#2026-12', source: 'free_monthly', amount: '1000000', expiresAt: '2027-01-01T00:00:00.000Z' },
    });
    expect(reminderStillRelevant(r, r.notifyAt)).toBe(true);
    expect(reminderStillRelevant(r, r.expiresAt)).toBe(false);
  });
});

describe('recharge events', () => {
  const base = {
    accountId: 'acct',
    at: '2026-11-21T08:00:00.000Z',
    purchaseId: 'p1',
    trigger: 'auto',
    packId: 'pack-1m',
    credits: '1000000',
    amountMinor: '2900',
    currency: 'EUR',
    attempt: 1,
    cause: 'acct#k#3',
    reason: null,
  };
  const kindOf = (type: string, extra: Record<string, unknown> = {}) => notified(fromRechargeEvent({ ...base, id: `p1#${type}#1`, type, ...extra }))[0];

  it('given each recharge event, then its kind', () => {
    expect(kindOf('PurchaseSucceeded')).toMatchObject({ kind: 'recharge_succeeded', causeId: 'recharge_succeeded:p1', data: { credits: '1000000', amountMinor: '2900' } });
    expect(kindOf('PurchaseSkipped', { purchaseId: null, reason: 'monthly_limit' })).toMatchObject({ kind: 'recharge_skipped', data: { reason: 'monthly_limit' } });
    expect(kindOf('AutoRechargeDisabled', { reason: 'declined' })).toMatchObject({ kind: 'auto_recharge_disabled', data: { reason: 'declined' } });
    expect(fromRechargeEvent({ ...base, id: 'p1#PurchaseRequested#1', type: 'PurchaseRequested' })).toEqual([]);
  });

  it('given several declines of one purchase, then one cause (told once), and giving up is another', () => {
    const d1 = kindOf('PurchaseDeclined', { reason: 'card_declined' });
    const d2 = kindOf('PurchaseDeclined', { reason: 'card_declined', attempt: 2, id: 'p1#PurchaseDeclined#2' });
    const gaveUp = kindOf('PurchaseAbandoned', { reason: 'too_many_declines', attempt: 3 });
    expect(d1?.causeId).toBe('recharge_failed:p1#declined');
    expect(d2?.causeId).toBe(d1?.causeId);
    expect(gaveUp).toMatchObject({ kind: 'recharge_failed', causeId: 'recharge_failed:p1#abandoned', data: { final: true, attempt: 3 } });
  });
});

describe('metering and catalog events', () => {
  it('given LimitReached, then limit_reached; given SubscriptionSet, then the subscription', () => {
    const limit = { id: 'acct#daily_generations#2026-11-21', type: 'LimitReached', accountId: 'acct', at: '2026-11-21T08:00:00Z', limit: 'daily_generations', period: '2026-11-21', value: '20' };
    expect(notified(fromMeteringEvent(limit))[0]).toMatchObject({ kind: 'limit_reached', causeId: `limit_reached:${limit.id}`, data: { limit: 'daily_generations', value: '20' } });
    expect(fromMeteringEvent({ id: 's', type: 'SubscriptionSet', accountId: 'acct', at: '2026-11-21T08:00:00Z', catalogId: 'wazion', planId: 'pro' })).toEqual([
      { type: 'set_subscription', accountId: 'acct', catalogId: 'wazion', planId: 'pro', at: Date.UTC(2026, 10, 21, 8) },
    ]);
  });

  it("given a price change, then one notification per subscriber, caused by the catalog revision and the account", () => {
    const [effect] = fromPriceChange({
      catalogId: 'wazion',
      revision: 3,
      announcedAt: '2026-11-21T08:00:00Z',
      changes: [{ kind: 'pack', id: 'pack-1m', versionId: 'pack-1m-2027', effectiveAt: '2027-01-01T00:00:00Z' }],
    });
    if (effect?.type !== 'notify_subscribers') throw new Error('expected notify_subscribers');
    expect(effect.catalogId).toBe('wazion');
    const a = subscriberNotification(effect, 'a');
    expect(a).toMatchObject({ kind: 'price_change', accountId: 'a', causeId: 'price_change:wazion#3#a', data: { revision: 3 } });
    expect(subscriberNotification(effect, 'b').id).not.toBe(a.id);
    expect(() => fromPriceChange({ catalogId: 'w', revision: 1, announcedAt: '2026-11-21T08:00:00Z', changes: 'all' })).toThrow(/changes/);
  });

  it('given a cause older than the max age, then it is stale', () => {
    expect(isStale(0, DAY, DAY)).toBe(false);
    expect(isStale(0, DAY + 1, DAY)).toBe(true);
  });

  it('given a replay, then stale notifications and reminders of expired grants are dropped; live reminders, subscriptions and cancellations kept', () => {
    const now = Date.UTC(2026, 10, 21);
    const old = now - 2 * DAY;
    const effect = (type: string): Effect[] => {
      const reminder = { accountId: 'a', grantId: 'g', source: 'promo', amount: '1', notifyAt: old };
      switch (type) {
        case 'stale':
          return [{ type: 'notify', notification: reminderNotification({ ...reminder, expiresAt: now + DAY }) }];
        case 'expired':
          return [{ type: 'schedule_reminder', reminder: { ...reminder, expiresAt: now - 1 } }];
        case 'alive':
          return [{ type: 'schedule_reminder', reminder: { ...reminder, expiresAt: now + DAY } }];
        default:
          return [
            { type: 'set_subscription', accountId: 'a', catalogId: 'c', planId: 'p', at: old },
            { type: 'cancel_reminder', accountId: 'a', grantId: 'g' },
          ];
      }
    };
    const kept = (type: string) => effect(type).filter((e) => stillNews(e, now, DAY)).length;
    expect([kept('stale'), kept('expired'), kept('alive'), kept('other')]).toEqual([0, 0, 1, 2]);
  });
});
