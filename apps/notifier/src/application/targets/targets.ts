import { randomBytes } from 'node:crypto';
import type { Clock } from '@credence/kernel';
import {
  EmailRecipientDto,
  MAX_TARGETS_PER_ACCOUNT,
  validatePlain,
  WebhookEndpointDto,
  type EmailRecipientView,
  type FieldIssue,
  type WebhookEndpointView,
} from '@credence/contracts';
import type { EmailRecipient, NotifierStore, WebhookEndpoint } from '@credence/notifier-data-access';

export type Created<T> =
  | { readonly status: 'created'; readonly value: T }
  | { readonly status: 'invalid'; readonly issues: readonly FieldIssue[] }
  | { readonly status: 'refused'; readonly reason: 'too_many_targets'; readonly detail: string };

/** Ids that say what they are: `wh_...` endpoints, `em_...` recipients (120 random bits). */
const newId = (prefix: string): string => `${prefix}_${randomBytes(15).toString('base64url')}`;

/** 256 random bits; `whsec_` makes a leaked one easy to recognise (and to scan for). */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

export const webhookView = (w: WebhookEndpoint): WebhookEndpointView => ({
  id: w.id,
  accountId: w.accountId,
  url: w.url,
  kinds: w.kinds,
  description: w.description,
  createdAt: w.createdAt.toISOString(),
});

export const emailView = (e: EmailRecipient): EmailRecipientView => ({ id: e.id, accountId: e.accountId, address: e.address, kinds: e.kinds, createdAt: e.createdAt.toISOString() });

/** Where an account's notifications go: webhook endpoints and e-mail recipients, each with the kinds it wants. */
export class Targets {
  constructor(
    private readonly store: NotifierStore,
    private readonly clock: Clock,
  ) {}

  /** The answer carries the signing secret: the only time it is shown. */
  async createWebhook(body: unknown): Promise<Created<WebhookEndpointView & { readonly secret: string }>> {
    const v = validatePlain(WebhookEndpointDto, body);
    if (!v.ok) return { status: 'invalid', issues: v.issues };
    const full = await this.full(v.value.accountId);
    if (full) return full;
    const endpoint = { id: newId('wh'), accountId: v.value.accountId, url: v.value.url, kinds: v.value.kinds, description: v.value.description ?? '', createdAt: new Date(this.clock.now()) };
    const secret = newWebhookSecret();
    await this.store.insertWebhook({ ...endpoint, secret });
    return { status: 'created', value: { ...webhookView(endpoint), secret } };
  }

  async createEmail(body: unknown): Promise<Created<EmailRecipientView>> {
    const v = validatePlain(EmailRecipientDto, body);
    if (!v.ok) return { status: 'invalid', issues: v.issues };
    const full = await this.full(v.value.accountId);
    if (full) return full;
    const recipient = { id: newId('em'), accountId: v.value.accountId, address: v.value.address, kinds: v.value.kinds, createdAt: new Date(this.clock.now()) };
    await this.store.insertEmail(recipient);
    return { status: 'created', value: emailView(recipient) };
  }

  async webhooks(accountId: string): Promise<WebhookEndpointView[]> {
    return (await this.store.webhooks(accountId)).map(webhookView);
  }

  async emails(accountId: string): Promise<EmailRecipientView[]> {
    return (await this.store.emails(accountId)).map(emailView);
  }

  /** The account a live endpoint or recipient belongs to; undefined for an unknown or deleted one. */
  async ownerOf(kind: 'webhook' | 'email', id: string): Promise<string | undefined> {
    const owner = kind === 'webhook' ? await this.store.webhookAccount(id) : await this.store.emailAccount(id);
    return owner && !owner.deleted ? owner.accountId : undefined;
  }

  /** Pending deliveries to it are cancelled with it. */
  async deleteWebhook(id: string): Promise<WebhookEndpointView | undefined> {
    const w = await this.store.deleteWebhook(id, new Date(this.clock.now()));
    return w && webhookView(w);
  }

  async deleteEmail(id: string): Promise<EmailRecipientView | undefined> {
    const e = await this.store.deleteEmail(id, new Date(this.clock.now()));
    return e && emailView(e);
  }

  // Two concurrent creations may both pass the check: the bound is about fan-out, not exactness.
  private async full(accountId: string): Promise<Created<never> | undefined> {
    return (await this.store.liveTargets(accountId)) >= MAX_TARGETS_PER_ACCOUNT
      ? { status: 'refused', reason: 'too_many_targets', detail: `an account has at most ${MAX_TARGETS_PER_ACCOUNT} webhook endpoints and e-mail recipients together` }
      : undefined;
  }
}
