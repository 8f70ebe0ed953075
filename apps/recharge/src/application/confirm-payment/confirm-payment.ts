import type { PaymentGateway } from '../../gateway/payment-gateway.js';
import type { ProcessPurchases } from '../process-purchases/process-purchases.js';
import { parseChargeKey } from '../purchase-book.js';

export type CallbackReply = { readonly status: 'accepted'; readonly applied: boolean } | { readonly status: 'unauthorized' };

/**
 * The provider's callback (`POST /api/billing/gateway/webhook`): the outcome of a charge. A
 * callback may come twice, late (after a poll already settled the attempt) or never (polls cover
 * it): each is one more answer about one attempt, applied only if it still changes something.
 */
export class ConfirmPayment {
  constructor(
    private readonly gateway: PaymentGateway,
    private readonly processing: ProcessPurchases,
  ) {}

  async execute(headers: Readonly<Record<string, string | string[] | undefined>>, rawBody: Buffer): Promise<CallbackReply> {
    const callback = this.gateway.readCallback(headers, rawBody);
    if (!callback) return { status: 'unauthorized' };
    const key = parseChargeKey(callback.idempotencyKey);
    // Signed by the provider but not one of ours: nothing to do, and nothing to retry.
    if (!key) return { status: 'accepted', applied: false };
    const r = await this.processing.answer(key.purchaseId, key.attempt, callback.answer);
    // Answer the provider now; the grant follows.
    if (r?.purchase.status === 'paid') this.processing.kick(key.purchaseId);
    return { status: 'accepted', applied: r !== undefined };
  }
}
