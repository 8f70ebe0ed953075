import { SavePaymentMethodDto, validatePlain, type FieldIssue } from '@credence/contracts';
import type { Clock } from '@credence/kernel';
import type { RechargeQueries } from '@credence/recharge-data-access';
import type { PaymentGateway } from '../../gateway/payment-gateway.js';
import { methodView } from '../views.js';

export type MethodView = ReturnType<typeof methodView>;

export type SaveMethodReply =
  | { readonly status: 'saved'; readonly method: MethodView }
  | { readonly status: 'invalid'; readonly issues: readonly FieldIssue[] }
  | { readonly status: 'refused'; readonly reason: 'invalid_card'; readonly detail: string };

/** `POST` / `GET /api/billing/payment-methods`: cards saved with the gateway; the newest is the default. */
export class PaymentMethods {
  constructor(
    private readonly queries: RechargeQueries,
    private readonly gateway: PaymentGateway,
    private readonly clock: Clock,
  ) {}

  async save(body: unknown): Promise<SaveMethodReply> {
    const v = validatePlain(SavePaymentMethodDto, body);
    if (!v.ok) return { status: 'invalid', issues: v.issues };
    const saved = await this.gateway.savePaymentMethod(v.value.accountId, v.value.cardNumber);
    if (!saved.ok) return { status: 'refused', reason: saved.reason, detail: saved.detail };
    const method = { ...saved.method, accountId: v.value.accountId, createdAt: new Date(this.clock.now()) };
    await this.queries.addPaymentMethod(method);
    return { status: 'saved', method: methodView(method, true) };
  }

  async list(accountId: string): Promise<MethodView[]> {
    return (await this.queries.paymentMethods(accountId)).map((m, i) => methodView(m, i === 0));
  }
}
