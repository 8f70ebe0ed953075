import { RefundDto, validatePlain } from '@credence/contracts';
import type { LedgerAnswer, LedgerClient } from '../../clients/ledger-client.js';

export type RefundReply = { readonly kind: 'rejected'; readonly issues: ReadonlyArray<{ field: string; rule: string; message: string }> } | LedgerAnswer;

/** `POST /v1/refunds`: the ledger's IssueRefund, which caps a refund at what was charged and applies a key once. */
export class Refund {
  constructor(private readonly ledger: LedgerClient) {}

  async execute(body: unknown): Promise<RefundReply> {
    const validated = validatePlain(RefundDto, body);
    if (!validated.ok) return { kind: 'rejected', issues: validated.issues.map((i) => ({ ...i })) };
    return this.ledger.command('refunds', { ...validated.value });
  }
}
