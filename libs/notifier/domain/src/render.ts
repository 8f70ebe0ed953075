import { assertNever, InvariantViolation } from '@credence/kernel';
import type { Notification, NotificationValue } from './notification.js';
import { EMAIL_TEMPLATES } from './templates.js';

/** What rendering reads of a notification (a stored webhook body has all of it). */
export type RenderInput = Omit<Notification, 'causeId'>;

export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
}

/** `1234567` → `1,234,567`; exact on any length (amounts are decimal strings, never floats). */
export function groupDigits(integer: string): string {
  const negative = integer.startsWith('-');
  const digits = negative ? integer.slice(1) : integer;
  return (negative ? '-' : '') + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Minor units as the currency writes them: `2900` EUR → `29.00 EUR`, `500` JPY → `500 JPY`. */
export function formatMoney(amountMinor: string, currency: string): string {
  let digits = 2;
  try {
    digits = new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    // Not an ISO 4217 code Intl knows: two decimals, the common case.
  }
  const negative = amountMinor.startsWith('-');
  const abs = (negative ? amountMinor.slice(1) : amountMinor).padStart(digits + 1, '0');
  const whole = abs.slice(0, abs.length - digits);
  const fraction = digits > 0 ? `.${abs.slice(abs.length - digits)}` : '';
  return `${negative ? '-' : ''}${groupDigits(whole)}${fraction} ${currency}`;
}

/** `2026-11-21T08:00:00.000Z` → `2026-11-21 08:00 UTC`: e-mails are read by people. */
export const formatTime = (iso: string): string => {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC` : iso;
};

const str = (v: NotificationValue | undefined, fallback = 'unknown'): string => (v === undefined || v === null ? fallback : typeof v === 'string' ? v : JSON.stringify(v));
const credits = (v: NotificationValue | undefined): string => (typeof v === 'string' ? groupDigits(v) : str(v));

function price(d: RenderInput['data']): string {
  const amount = d['amountMinor'];
  const currency = d['currency'];
  return typeof amount === 'string' && typeof currency === 'string' ? formatMoney(amount, currency) : 'an unknown price';
}

const SOURCES: Readonly<Record<string, string>> = {
  free_monthly: 'free monthly',
  plan_allocation: 'plan',
  purchase: 'purchased',
  promo: 'promotional',
  adjustment: 'adjustment',
};

const LIMITS: Readonly<Record<string, { name: string; period: string }>> = {
  daily_generations: { name: 'daily generation limit', period: 'day' },
  monthly_credits: { name: 'monthly credit cap', period: 'month' },
};

/** Every `{{name}}` a template of this notification's kind may use, as text. */
export function emailContext(n: RenderInput): Record<string, string> {
  const d = n.data;
  const base = { accountId: n.accountId, notificationId: n.id, kind: n.kind, occurredAt: formatTime(new Date(n.occurredAt).toISOString()) };
  switch (n.kind) {
    case 'balance_low':
      return { ...base, threshold: str(d['threshold']), level: credits(d['level']), available: credits(d['available']) };
    case 'recharge_succeeded':
    case 'recharge_failed':
    case 'recharge_skipped':
      return {
        ...base,
        trigger: d['trigger'] === 'auto' ? 'automatic' : 'manual',
        packId: str(d['packId']),
        credits: credits(d['credits']),
        price: price(d),
        purchaseId: str(d['purchaseId'], 'none'),
        reason: str(d['reason'], 'no reason given'),
        attempt: str(d['attempt'], '1'),
        outcome: d['final'] === true ? 'We have stopped trying' : d['trigger'] === 'auto' ? 'We will try again shortly' : 'Try again, or use another payment method',
      };
    case 'auto_recharge_disabled':
      return { ...base, reason: str(d['reason'], 'no reason given') };
    case 'limit_reached': {
      const limit = LIMITS[str(d['limit'])] ?? { name: `${str(d['limit'])} limit`, period: 'period' };
      const value = d['limit'] === 'monthly_credits' ? `${credits(d['value'])} credits` : `${str(d['value'])} generations`;
      return { ...base, limitName: limit.name, periodName: limit.period, value, period: str(d['period']) };
    }
    case 'credits_expiring':
      return {
        ...base,
        grantId: str(d['grantId']),
        sourceName: SOURCES[str(d['source'])] ?? str(d['source']),
        amount: credits(d['amount']),
        expiresAt: formatTime(str(d['expiresAt'])),
      };
    case 'monthly_reset':
      return { ...base, period: str(d['period']), periodStart: formatTime(str(d['periodStart'])), periodEnd: formatTime(str(d['periodEnd'])) };
    case 'price_change': {
      const changes = Array.isArray(d['changes']) ? (d['changes'] as ReadonlyArray<Readonly<Record<string, NotificationValue>>>) : [];
      const lines = changes.map((c) => `- ${str(c['kind']).replace('_', ' ')} ${str(c['id'])}: version ${str(c['versionId'])} from ${formatTime(str(c['effectiveAt']))}`);
      return { ...base, catalogId: str(d['catalogId']), changes: lines.length > 0 ? lines.join('\n') : '- (no details)' };
    }
    default:
      return assertNever(n.kind, 'notification kind');
  }
}

/** Replaces every `{{name}}`; a name missing from the context throws (a template bug, caught by tests). */
export function interpolate(template: string, context: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g, (_, name: string) => {
    const value = context[name];
    if (value === undefined) throw new InvariantViolation(`template placeholder {{${name}}} has no value`);
    return value;
  });
}

export function renderEmail(n: RenderInput): RenderedEmail {
  const template = EMAIL_TEMPLATES[n.kind];
  const context = emailContext(n);
  // A subject is one line whatever a value holds.
  return { subject: interpolate(template.subject, context).replace(/[\r\n]+/g, ' '), text: interpolate(template.text, context) };
}
