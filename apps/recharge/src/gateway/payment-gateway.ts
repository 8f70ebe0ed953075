import type { PaymentAnswer } from '@credence/recharge-domain';

export interface SavedPaymentMethod {
  /** The provider's id: what charges name. */
  readonly id: string;
  readonly brand: string;
  readonly last4: string;
}

export interface ChargeRequest {
  /** `<purchaseId>:<attempt>`: the same key twice is one charge, whatever the network did. */
  readonly idempotencyKey: string;
  readonly paymentMethodId: string;
  readonly accountId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  /** The card holder is not there (auto-recharge): a card that wants authentication cannot be charged. */
  readonly offSession: boolean;
}

/** A provider callback about one charge, once its signature verified. */
export interface PaymentCallback {
  readonly idempotencyKey: string;
  readonly answer: PaymentAnswer;
}

/**
 * The port to a payment provider. Every method answers; none throws for the provider's own
 * failures: a timeout or an unreachable provider is `no_answer` (the charge may have happened),
 * and the caller asks again under the same idempotency key.
 */
export interface PaymentGateway {
  savePaymentMethod(accountId: string, cardNumber: string): Promise<{ ok: true; method: SavedPaymentMethod } | { ok: false; reason: 'invalid_card'; detail: string }>;
  /** Usually `processing`: the outcome arrives later, by callback or by `status`. */
  charge(request: ChargeRequest): Promise<PaymentAnswer>;
  /** What the provider knows of the charge made under this key (`not_found`: it never received it). */
  status(idempotencyKey: string): Promise<PaymentAnswer>;
  /** Reads a callback's raw body; undefined when it is not one the provider signed. */
  readCallback(headers: Readonly<Record<string, string | string[] | undefined>>, rawBody: Buffer): PaymentCallback | undefined;
}
