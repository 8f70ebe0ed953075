import type { NotificationKind } from './notification.js';

/**
 * The e-mail of each kind, in plain text. `{{name}}` is replaced by the value of that name in the
 * notification's context (see `emailContext`): every notification has `accountId`, `occurredAt`
 * and `notificationId`, and each kind adds its own. A name the context lacks is a bug (rendering
 * throws), so a template can never go out with a hole in it; a unit test renders them all.
 * Edit the words freely; keep the lines short, they are read in mail clients.
 */
export interface EmailTemplate {
  readonly subject: string;
  readonly text: string;
}

const FOOTER = `
--
Notification {{notificationId}} for account {{accountId}}, {{occurredAt}}.
You receive this because this address asked for "{{kind}}" notifications.`;

export const EMAIL_TEMPLATES: Readonly<Record<NotificationKind, EmailTemplate>> = {
  balance_low: {
    subject: 'Low balance: {{available}} credits left',
    text: `Hello,

The available balance of account {{accountId}} fell below {{level}} credits
(threshold "{{threshold}}"). {{available}} credits are available now.

Top up, or turn on auto-recharge, to keep your work running.
${FOOTER}`,
  },
  recharge_succeeded: {
    subject: 'Recharge done: {{credits}} credits added',
    text: `Hello,

Your {{trigger}} recharge succeeded: pack {{packId}} added {{credits}} credits
to account {{accountId}}, for {{price}}.

Purchase: {{purchaseId}}
${FOOTER}`,
  },
  recharge_failed: {
    subject: 'Recharge failed for {{accountId}}',
    text: `Hello,

Your {{trigger}} recharge of pack {{packId}} ({{price}}) for account {{accountId}}
did not go through: {{reason}} (attempt {{attempt}}).

{{outcome}}.

Purchase: {{purchaseId}}
${FOOTER}`,
  },
  recharge_skipped: {
    subject: 'Auto-recharge skipped: monthly limit reached',
    text: `Hello,

Account {{accountId}} ran low, but auto-recharge did not buy pack {{packId}} ({{price}}):
{{reason}}. This month's recharges would otherwise exceed the monthly spending limit.

Raise the limit or buy credits by hand to keep your work running.
${FOOTER}`,
  },
  auto_recharge_disabled: {
    subject: 'Auto-recharge turned off',
    text: `Hello,

Auto-recharge is now off for account {{accountId}}: {{reason}}.

Check the saved payment method, then turn auto-recharge on again.
${FOOTER}`,
  },
  limit_reached: {
    subject: 'Limit reached: {{limitName}}',
    text: `Hello,

Account {{accountId}} reached its {{limitName}} of {{value}} for {{period}}.
New generations are refused until the {{periodName}} ends, or the plan is upgraded.
${FOOTER}`,
  },
  credits_expiring: {
    subject: 'Credits expiring on {{expiresAt}}',
    text: `Hello,

Credits of account {{accountId}} expire on {{expiresAt}}: the {{sourceName}} grant
{{grantId}} of {{amount}} credits. Whatever is left of it then is lost.
${FOOTER}`,
  },
  monthly_reset: {
    subject: 'New period {{period}}: your monthly credits are reset',
    text: `Hello,

Period {{period}} has started for account {{accountId}} ({{periodStart}} to {{periodEnd}}).
Unused free credits of the last period have expired and this period's are available.
${FOOTER}`,
  },
  price_change: {
    subject: 'Price change announced in {{catalogId}}',
    text: `Hello,

Prices in catalog {{catalogId}}, which account {{accountId}} is subscribed to, will change:

{{changes}}

Usage is always priced with the prices in force when it happens.
${FOOTER}`,
  },
};
