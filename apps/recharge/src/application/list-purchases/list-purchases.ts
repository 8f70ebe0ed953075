import { ListPurchasesQueryDto, validatePlain, type FieldIssue } from '@credence/contracts';
import type { RechargeQueries } from '@credence/recharge-data-access';
import { purchaseView, type PurchaseView } from '../views.js';

export const DEFAULT_PAGE = 50;

export type ListReply =
  | { readonly status: 'listed'; readonly purchases: readonly PurchaseView[]; readonly nextCursor: string | null }
  | { readonly status: 'invalid'; readonly issues: readonly FieldIssue[] };

/** `GET /api/billing/purchases`: every purchase of an account, newest first, each with its attempts. */
export class ListPurchases {
  constructor(private readonly queries: RechargeQueries) {}

  async list(query: unknown): Promise<ListReply> {
    const v = validatePlain(ListPurchasesQueryDto, query);
    if (!v.ok) return { status: 'invalid', issues: v.issues };
    const limit = v.value.limit === undefined ? DEFAULT_PAGE : Number(v.value.limit);
    const rows = await this.queries.purchases(v.value.accountId, { limit: limit + 1, after: v.value.cursor });
    const page = rows.slice(0, limit);
    const history = await this.queries.attempts(page.map((p) => p.id));
    return {
      status: 'listed',
      purchases: page.map((p) => purchaseView(p, history.get(p.id) ?? [])),
      nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
    };
  }

  async one(id: string): Promise<PurchaseView | undefined> {
    const p = await this.queries.purchase(id);
    return p && purchaseView(p, (await this.queries.attempts([id])).get(id) ?? []);
  }
}
