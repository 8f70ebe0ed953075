import { randomUUID } from 'node:crypto';
import { PurchaseDto, validatePlain, type FieldIssue } from '@credence/contracts';
import type { Clock } from '@credence/kernel';
import type { Purchase, RechargeQueries } from '@credence/recharge-data-access';
import { notOffered, type NotOffered, type Offers } from '../offers.js';
import type { ProcessPurchases } from '../process-purchases/process-purchases.js';
import type { PurchaseBook } from '../purchase-book.js';
import { purchaseView, type PurchaseView } from '../views.js';

export type BuyReply =
  | { readonly status: 'accepted'; readonly repeat: boolean; readonly purchase: PurchaseView }
  | NotOffered
  | { readonly status: 'invalid'; readonly issues: readonly FieldIssue[] }
  | { readonly status: 'conflict'; readonly reason: 'idempotency_conflict'; readonly detail: string };

export const newPurchaseId = (): string => `pur_${randomUUID().replace(/-/g, '')}`;

/**
 * `POST /api/billing/purchases`: one pack now, with a saved payment method, where the account's
 * plan allows it. The same key answers the same purchase, whatever happened to it; the payment is
 * submitted before the answer, and confirmed later (by callback or poll), then the credits granted.
 */
export class BuyPack {
  constructor(
    private readonly queries: RechargeQueries,
    private readonly book: PurchaseBook,
    private readonly offers: Offers,
    private readonly processing: ProcessPurchases,
    private readonly clock: Clock,
  ) {}

  async execute(body: unknown): Promise<BuyReply> {
    const v = validatePlain(PurchaseDto, body);
    if (!v.ok) return { status: 'invalid', issues: v.issues };
    const dto = v.value;
    const earlier = await this.queries.purchaseByKey(dto.accountId, dto.key);
    if (earlier) return this.repeat(earlier, dto);

    const offered = await this.offers.resolve(dto.accountId, dto.packId, dto.currency, dto.paymentMethodId);
    if (offered.kind !== 'offered') return notOffered(offered);
    const { subscription, offer, method } = offered;
    const now = new Date(this.clock.now());
    const created = await this.queries.transaction((trx) =>
      this.book.create(
        {
          id: newPurchaseId(),
          accountId: dto.accountId,
          trigger: 'manual',
          key: dto.key,
          cause: null,
          month: null,
          catalogId: subscription.catalogId,
          planId: subscription.planId,
          packId: offer.packId,
          packVersion: offer.versionId,
          credits: BigInt(offer.credits),
          amountMinor: BigInt(offer.priceMinor),
          currency: offer.currency,
          paymentMethodId: method.id,
          status: 'pending',
          reason: null,
          nextAttemptAt: now,
          createdAt: now,
        },
        { records: [], facts: [] },
        trx,
      ),
    );
    // A twin request with the same key got there first.
    if (!created.inserted) return this.repeat(created.purchase, dto);
    await this.processing.now(created.purchase.id);
    return { status: 'accepted', repeat: false, purchase: await this.view(created.purchase.id) };
  }

  private async repeat(p: Purchase, dto: PurchaseDto): Promise<BuyReply> {
    const differs =
      p.packId !== dto.packId || (dto.currency !== undefined && p.currency !== dto.currency) || (dto.paymentMethodId !== undefined && p.paymentMethodId !== dto.paymentMethodId);
    if (differs) return { status: 'conflict', reason: 'idempotency_conflict', detail: `key ${dto.key} was used for another purchase (${p.id})` };
    return { status: 'accepted', repeat: true, purchase: await this.view(p.id) };
  }

  private async view(id: string): Promise<PurchaseView> {
    const p = await this.queries.purchase(id);
    if (!p) throw new Error(`purchase ${id} vanished`);
    return purchaseView(p, (await this.queries.attempts([id])).get(id) ?? []);
  }
}
