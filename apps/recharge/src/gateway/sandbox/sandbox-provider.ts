import { randomUUID } from 'node:crypto';
import type { Clock } from '@credence/kernel';
import type { SandboxCharge, SandboxQueries } from '@credence/recharge-data-access';
import { sign, SANDBOX_SIGNATURE_HEADER } from './signature.js';
import { SANDBOX_TEST_CARDS } from './test-cards.js';

export interface SandboxOptions {
  readonly confirmDelayMs: number;
  readonly timeoutDelayMs: number;
  /** null: callbacks are lost (never sent); the recharge side must poll. */
  readonly webhookDelayMs: number | null;
  readonly webhookUrl: string;
  readonly secret: string;
}

/** What the provider's API answers about a charge. */
export type ProviderAnswer = { readonly status: SandboxCharge['status'] | 'not_found'; readonly declineCode: string | null };

/** The body of a callback, signed in `sandbox-signature`. */
export interface SandboxCallbackBody {
  readonly type: 'charge.updated';
  readonly chargeId: string;
  readonly idempotencyKey: string;
  readonly status: SandboxCharge['status'];
  readonly declineCode: string | null;
}

/** Waits between deliveries of one callback; after the last it is given up (a poll confirms the charge). */
const WEBHOOK_RETRY_MS = [1_000, 5_000, 30_000, 120_000];
const WEBHOOK_TIMEOUT_MS = 5_000;
const WEBHOOK_LEASE_MS = 30_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * A payment provider for tests and local runs, behaving like a real one: saved cards, charges
 * made once per idempotency key, confirmed asynchronously, and signed callbacks retried with
 * back-off. Its state is in Postgres (tables `sandbox_*`), so every replica of recharge sees the
 * same charges, and any of them settles and calls back.
 */
export class SandboxProvider {
  constructor(
    private readonly queries: SandboxQueries,
    private readonly clock: Clock,
    private readonly options: SandboxOptions,
    private readonly onError: (what: string, error: unknown) => void,
  ) {}

  async createMethod(accountId: string, cardNumber: string): Promise<{ id: string; brand: string; last4: string } | undefined> {
    const card = SANDBOX_TEST_CARDS[cardNumber];
    if (!card) return undefined;
    const id = `pm_sandbox_${randomUUID().replace(/-/g, '')}`;
    await this.queries.addMethod({ id, accountId, cardNumber, behaviour: card.behaviour, createdAt: new Date(this.clock.now()) });
    return { id, brand: card.brand, last4: cardNumber.slice(-4) };
  }

  async charge(r: { idempotencyKey: string; paymentMethodId: string; accountId: string; amountMinor: bigint; currency: string }): Promise<ProviderAnswer> {
    const method = await this.queries.method(r.paymentMethodId);
    if (!method || method.accountId !== r.accountId) return { status: 'declined', declineCode: 'payment_method_not_found' };
    const now = this.clock.now();
    const outcome = method.behaviour === 'decline' ? 'declined' : method.behaviour === 'authenticate' ? 'requires_authentication' : 'succeeded';
    const { created, charge } = await this.queries.createCharge({
      id: `ch_sandbox_${randomUUID().replace(/-/g, '')}`,
      idempotencyKey: r.idempotencyKey,
      paymentMethodId: method.id,
      accountId: r.accountId,
      amountMinor: r.amountMinor,
      currency: r.currency,
      // A card that wants authentication is refused at once, as providers do off-session.
      status: outcome === 'requires_authentication' ? 'requires_authentication' : 'processing',
      settlesTo: outcome,
      declineCode: outcome === 'declined' ? 'card_declined' : null,
      createdAt: new Date(now),
      settleAt: new Date(now + this.options.confirmDelayMs),
    });
    // The time-out card: the charge is made, but its first answer comes too late for the caller.
    if (created && method.behaviour === 'timeout') await sleep(this.options.timeoutDelayMs);
    return { status: charge.status, declineCode: charge.status === 'declined' ? charge.declineCode : null };
  }

  async status(idempotencyKey: string): Promise<ProviderAnswer> {
    const c = await this.queries.chargeByKey(idempotencyKey);
    return c ? { status: c.status, declineCode: c.status === 'declined' ? c.declineCode : null } : { status: 'not_found', declineCode: null };
  }

  /** The provider's back office: settles charges that are due, then sends the callbacks that are due. */
  async runOnce(): Promise<number> {
    const now = new Date(this.clock.now());
    const settled = await this.queries.settleDue(now, 100, this.options.webhookDelayMs);
    const due = await this.queries.claimWebhooks(now, 20, WEBHOOK_LEASE_MS);
    await Promise.all(due.map((c) => this.deliver(c)));
    return settled.length + due.length;
  }

  private async deliver(c: SandboxCharge): Promise<void> {
    const body: SandboxCallbackBody = { type: 'charge.updated', chargeId: c.id, idempotencyKey: c.idempotencyKey, status: c.status, declineCode: c.declineCode };
    const text = JSON.stringify(body);
    let delivered = false;
    try {
      const res = await fetch(this.options.webhookUrl, {
        method: 'POST',
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        headers: { 'content-type': 'application/json', [SANDBOX_SIGNATURE_HEADER]: sign(this.options.secret, text, this.clock.now()) },
        body: text,
      });
      await res.arrayBuffer();
      delivered = res.ok;
      if (!delivered) this.onError('sandbox callback', new Error(`${this.options.webhookUrl} answered ${res.status}`));
    } catch (error) {
      this.onError('sandbox callback', error);
    }
    const wait = WEBHOOK_RETRY_MS[c.webhookAttempts - 1];
    const now = this.clock.now();
    await this.queries.webhookDone(c.id, new Date(now), delivered, delivered || wait === undefined ? null : new Date(now + wait));
  }
}
