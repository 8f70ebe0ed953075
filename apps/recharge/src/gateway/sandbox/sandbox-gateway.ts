import type { PaymentAnswer } from '@credence/recharge-domain';
import type { Clock } from '@credence/kernel';
import type { ChargeRequest, PaymentCallback, PaymentGateway, SavedPaymentMethod } from '../payment-gateway.js';
import type { ProviderAnswer, SandboxCallbackBody, SandboxProvider } from './sandbox-provider.js';
import { SANDBOX_SIGNATURE_HEADER, verify } from './signature.js';
import { SANDBOX_TEST_CARDS } from './test-cards.js';

const toAnswer = (a: ProviderAnswer): PaymentAnswer => {
  switch (a.status) {
    case 'processing':
      return { kind: 'processing' };
    case 'succeeded':
      return { kind: 'succeeded' };
    case 'declined':
      return { kind: 'declined', code: a.declineCode ?? 'card_declined' };
    case 'requires_authentication':
      return { kind: 'authentication_required' };
    case 'not_found':
      return { kind: 'not_found' };
  }
};

/**
 * The adapter in front of the sandbox provider, written as a real one would be: every call bounded
 * by `timeoutMs`, and a call that does not answer in time (or fails) is `no_answer`, never an error.
 */
export class SandboxGateway implements PaymentGateway {
  constructor(
    private readonly provider: SandboxProvider,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly secret: string,
  ) {}

  async savePaymentMethod(accountId: string, cardNumber: string): Promise<{ ok: true; method: SavedPaymentMethod } | { ok: false; reason: 'invalid_card'; detail: string }> {
    const method = await this.provider.createMethod(accountId, cardNumber);
    if (!method) return { ok: false, reason: 'invalid_card', detail: `the sandbox takes only its test cards: ${Object.keys(SANDBOX_TEST_CARDS).join(', ')}` };
    return { ok: true, method };
  }

  charge(r: ChargeRequest): Promise<PaymentAnswer> {
    return this.bounded(() => this.provider.charge(r));
  }

  status(idempotencyKey: string): Promise<PaymentAnswer> {
    return this.bounded(() => this.provider.status(idempotencyKey));
  }

  readCallback(headers: Readonly<Record<string, string | string[] | undefined>>, rawBody: Buffer): PaymentCallback | undefined {
    const header = headers[SANDBOX_SIGNATURE_HEADER];
    if (!verify(this.secret, typeof header === 'string' ? header : undefined, rawBody, this.clock.now())) return undefined;
    let body: Partial<SandboxCallbackBody>;
    try {
      body = JSON.parse(rawBody.toString('utf8')) as Partial<SandboxCallbackBody>;
    } catch {
      return undefined;
    }
    if (body.type !== 'charge.updated' || typeof body.idempotencyKey !== 'string' || typeof body.status !== 'string') return undefined;
    return { idempotencyKey: body.idempotencyKey, answer: toAnswer({ status: body.status, declineCode: body.declineCode ?? null }) };
  }

  private async bounded(call: () => Promise<ProviderAnswer>): Promise<PaymentAnswer> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<PaymentAnswer>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'no_answer', detail: `no answer within ${this.timeoutMs} ms` }), this.timeoutMs);
    });
    try {
      return await Promise.race([call().then(toAnswer, (e: unknown): PaymentAnswer => ({ kind: 'no_answer', detail: e instanceof Error ? e.message : String(e) })), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
