import { fromLedgerEvent, fromMeteringEvent, fromPriceChange, fromRechargeEvent, reminderNotification, subscriberNotification, type Effect } from './effects.js';
import type { Notification, NotificationKind } from './notification.js';
import { formatMoney, groupDigits, interpolate, renderEmail } from './render.js';
import { EMAIL_TEMPLATES } from './templates.js';

const at = '2026-11-21T08:00:00.000Z';
const first = (effects: Effect[]): Notification => {
  const e = effects[0];
  if (e?.type !== 'notify') throw new Error('expected a notification');
  return e.notification;
};
const recharge = (type: string, extra: Record<string, unknown> = {}) =>
  first(
    fromRechargeEvent({ id: `p#${type}#1`, type, accountId: 'acct', at, purchaseId: 'p', trigger: 'auto', packId: 'pack-1m', credits: '1000000', amountMinor: '2900', currency: 'EUR', attempt: 2, cause: null, reason: 'card_declined', ...extra }),
  );
const options = { expiryNoticeMs: 7 * 86_400_000, ignoredThresholds: new Set<string>() };

/** One realistic notification of every kind. */
const samples: Record<NotificationKind, Notification> = {
  balance_low: first(fromLedgerEvent({ id: 'e1', accountId: 'acct', type: 'BalanceLow', at, data: { threshold: 'low', level: '500000', available: '499000' } }, options)),
  recharge_succeeded: recharge('PurchaseSucceeded', { reason: null }),
  recharge_failed: recharge('PurchaseDeclined'),
  recharge_skipped: recharge('PurchaseSkipped', { reason: 'monthly_limit' }),
  auto_recharge_disabled: recharge('AutoRechargeDisabled', { reason: 'payment method expired' }),
  limit_reached: first(fromMeteringEvent({ id: 'l', type: 'LimitReached', accountId: 'acct', at, limit: 'monthly_credits', period: '2026-11', value: '5000000' })),
  credits_expiring: reminderNotification({ accountId: 'acct', grantId: 'free#2026-11', source: 'free_monthly', amount: '1000000', expiresAt: Date.UTC(2026, 11, 1), notifyAt: Date.UTC(2026, 10, 24) }),
  monthly_reset: first(fromLedgerEvent({ id: 'e2', accountId: 'acct', type: 'PeriodReset', at, data: { period: '2026-12', periodStart: '2026-12-01T00:00:00Z', periodEnd: '2027-01-01T00:00:00Z' } }, options)),
  price_change: (() => {
    const [e] = fromPriceChange({ catalogId: 'wazion', revision: 2, announcedAt: at, changes: [{ kind: 'rate_card', id: 'llm', versionId: 'llm-2027', effectiveAt: '2027-01-01T00:00:00Z' }] });
    if (e?.type !== 'notify_subscribers') throw new Error('expected notify_subscribers');
    return subscriberNotification(e, 'acct');
  })(),
};

describe('e-mail templates', () => {
  it.each(Object.keys(EMAIL_TEMPLATES) as NotificationKind[])('given a %s notification, then its e-mail renders with every placeholder filled', (kind) => {
    const mail = renderEmail(samples[kind]);
    expect(mail.subject).not.toMatch(/\{\{|\n|unknown/);
    expect(mail.text).not.toMatch(/\{\{|\}\}|unknown/);
    expect(mail.text).toContain('acct');
    expect(mail.text).toContain(samples[kind].id);
  });

  it('given a low balance, then the e-mail says how much is left, readably', () => {
    const mail = renderEmail(samples.balance_low);
    expect(mail.subject).toBe('Low balance: 499,000 credits left');
    expect(mail.text).toContain('fell below 500,000 credits');
    expect(mail.text).toContain('2026-11-21 08:00 UTC');
  });

  it('given a recharge, then the price is written in the currency, and a failure says what happens next', () => {
    expect(renderEmail(samples.recharge_succeeded).text).toContain('added 1,000,000 credits');
    expect(renderEmail(samples.recharge_succeeded).text).toContain('29.00 EUR');
    expect(renderEmail(samples.recharge_failed).text).toContain('We will try again shortly.');
    expect(renderEmail(recharge('PurchaseAbandoned')).text).toContain('We have stopped trying.');
  });

  it('given a price change, then each change is listed', () => {
    expect(renderEmail(samples.price_change).text).toContain('- rate card llm: version llm-2027 from 2027-01-01 00:00 UTC');
  });

  it('given a placeholder the context lacks, then rendering throws rather than send a hole', () => {
    expect(() => interpolate('Hi {{name}}', {})).toThrow(/\{\{name\}\}/);
    expect(interpolate('Hi {{ name }}', { name: 'Ada' })).toBe('Hi Ada');
  });
});

describe('formats', () => {
  it('groups digits exactly and writes minor units with the currency digits', () => {
    expect(groupDigits('9223372036854775807')).toBe('9,223,372,036,854,775,807');
    expect(groupDigits('-1000')).toBe('-1,000');
    expect(groupDigits('12')).toBe('12');
    expect(formatMoney('2900', 'EUR')).toBe('29.00 EUR');
    expect(formatMoney('5', 'EUR')).toBe('0.05 EUR');
    expect(formatMoney('500', 'JPY')).toBe('500 JPY');
    expect(formatMoney('123456789', 'DZD')).toBe('1,234,567.89 DZD');
  });
});
