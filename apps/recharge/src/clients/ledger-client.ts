import { AUTO_RECHARGE_THRESHOLD } from '@credence/contracts';
import { httpJson, unavailable, type Unavailable, type UpstreamOptions } from '@credence/platform-runtime';

/** What the ledger said to a command recharge sent. */
export type LedgerAnswer =
  | { readonly kind: 'applied' }
  | { readonly kind: 'refused'; readonly reason: string }
  /** The key was used with another body: a bug on our side, never retried into success. */
  | { readonly kind: 'conflict' }
  | Unavailable;

/**
 * The ledger's HTTP command routes (admin key), applied before they answer: recharge learns at
 * once that a grant is in, and the ledger's idempotency (key = purchase id) makes re-sending safe.
 */
export class LedgerClient {
  constructor(
    private readonly baseUrl: string,
    private readonly options: UpstreamOptions,
  ) {}

  /** Purchased credits never expire (source `purchase`). */
  grant(g: { key: string; accountId: string; amount: bigint; reason: string }): Promise<LedgerAnswer> {
    return this.command('POST', 'grants', { key: g.key, accountId: g.accountId, source: 'purchase', amount: g.amount.toString(), reason: g.reason });
  }

  /** The account's `auto-recharge` threshold at `level`, or removed (`level` undefined). */
  threshold(t: { key: string; accountId: string; level: bigint | undefined }): Promise<LedgerAnswer> {
    return this.command('PUT', 'thresholds', {
      key: t.key,
      accountId: t.accountId,
      name: AUTO_RECHARGE_THRESHOLD,
      ...(t.level === undefined ? {} : { level: t.level.toString() }),
    });
  }

  private async command(method: string, route: string, body: Record<string, unknown>): Promise<LedgerAnswer> {
    const r = await httpJson(this.options, method, `${this.baseUrl}/api/ledger/${route}`, body);
    if (r.kind === 'unavailable') return r;
    if (r.status === 200) return { kind: 'applied' };
    if (r.status === 409) return { kind: 'conflict' };
    const reason = (r.body as { reason?: unknown } | undefined)?.reason;
    if (r.status === 422 && typeof reason === 'string') return { kind: 'refused', reason };
    // A key the ledger refuses (401/403), throttling or anything unexpected: try again later.
    return unavailable(`the ledger answered ${r.status} to ${method} ${route}`);
  }
}
