import { SettleDto, validatePlain, type SettleReply } from '@credence/contracts';
import { minBig, type Clock } from '@credence/kernel';
import type { AuthorizationRow, MeteringQueries } from '@credence/metering-data-access';
import type { CatalogClient } from '../../clients/catalog-client.js';
import type { LedgerClient } from '../../clients/ledger-client.js';

/**
 * `POST /v1/authorizations/:holdId/settle`: succeeded charges the real cost (priced with the
 * version in force when the generation was authorized), up to the hold by capture and the rest as
 * post-paid usage; failed releases the hold, charging nothing. Ledger keys derive from the hold,
 * so a retry after an outage applies nothing twice.
 */
export class Settle {
  constructor(
    private readonly queries: MeteringQueries,
    private readonly catalog: CatalogClient,
    private readonly ledger: LedgerClient,
    private readonly clock: Clock,
  ) {}

  async execute(holdId: string, body: unknown): Promise<SettleReply> {
    const validated = validatePlain(SettleDto, body);
    if (!validated.ok) return { status: 'invalid', issues: validated.issues.map((i) => ({ ...i })) };
    const dto = validated.value;
    const a = await this.queries.authorizationByHold(holdId);
    if (!a || a.holdId === null) return { status: 'not_found', holdId };
    if (a.status !== 'open') return a.settlement as SettleReply;
    const reply = dto.outcome === 'failed' ? await this.fail(a, holdId) : await this.succeed(a, holdId, dto);
    if (reply.status === 'invalid' || reply.status === 'unavailable') return reply;
    const charged = reply.status === 'settled' ? BigInt(reply.credits) : 0n;
    const status = reply.status === 'settled' && reply.outcome === 'succeeded' ? 'settled' : 'failed';
    await this.queries.settleAuthorization(holdId, { status, chargedCredits: charged, settlement: reply, at: new Date(this.clock.now()) });
    // A concurrent settlement may have stored its answer first: the stored one is the answer.
    const stored = await this.queries.authorizationByHold(holdId);
    return (stored?.settlement as SettleReply | null) ?? reply;
  }

  private async fail(a: AuthorizationRow, holdId: string): Promise<SettleReply> {
    const r = await this.ledger.command('releases', { key: `${a.key}:release`, accountId: a.accountId, holdId: a.key });
    if (r.kind === 'unavailable') return { status: 'unavailable', detail: r.detail };
    // The ledger says "already resolved" for a hold that expired and for one already captured. Only
    // an expired hold means nothing was charged; a captured one must not be reported as free.
    const expired = a.expiresAt !== null && a.expiresAt.getTime() <= this.clock.now();
    if (r.kind === 'applied' || (r.kind === 'refused' && r.reason === 'HOLD_ALREADY_RESOLVED' && expired))
      return { status: 'settled', holdId, outcome: 'failed', credits: '0', captured: '0', excess: '0', priceVersion: null };
    if (r.kind === 'refused' && r.reason === 'HOLD_ALREADY_RESOLVED') return { status: 'refused', holdId, reason: 'already_captured' };
    return { status: 'refused', holdId, reason: r.kind === 'refused' ? r.reason : `ledger_${r.kind}` };
  }

  private async succeed(a: AuthorizationRow, holdId: string, dto: SettleDto): Promise<SettleReply> {
    if (!dto.usage) return { status: 'invalid', issues: [{ field: 'usage', rule: 'isObject', message: 'usage is required when the generation succeeded' }] };
    const quote = await this.catalog.quote({
      ...(a.catalogId === null ? {} : { catalogId: a.catalogId }),
      ...(a.planId === null ? {} : { planId: a.planId }),
      at: a.createdAt.toISOString(),
      usage: dto.usage,
    });
    if (quote.status === 'unavailable') return { status: 'unavailable', detail: quote.detail };
    if (quote.status === 'invalid') return { status: 'invalid', issues: quote.issues.map((i) => ({ ...i, field: `usage.${i.field}` })) };
    if (quote.status === 'refused') return { status: 'invalid', issues: [{ field: 'usage', rule: quote.reason, message: quote.detail ?? quote.reason }] };
    const real = BigInt(quote.credits);
    const held = a.estimateCredits ?? 0n;
    const captured = minBig(real, held);
    const capture = await this.ledger.command('captures', {
      key: `${a.key}:capture`,
      accountId: a.accountId,
      // The ledger knows the hold by the caller's key, within the account.
      holdId: a.key,
      amount: captured.toString(),
      priceVersion: quote.versionId,
    });
    if (capture.kind === 'unavailable') return { status: 'unavailable', detail: capture.detail };
    if (capture.kind !== 'applied') return { status: 'refused', holdId, reason: capture.kind === 'refused' ? capture.reason : `ledger_${capture.kind}` };
    const excess = real - captured;
    if (excess > 0n) {
      const usage = await this.ledger.command('usage', { key: `${a.key}:excess`, accountId: a.accountId, amount: excess.toString(), priceVersion: quote.versionId });
      if (usage.kind === 'unavailable') return { status: 'unavailable', detail: usage.detail };
      if (usage.kind !== 'applied') return { status: 'refused', holdId, reason: usage.kind === 'refused' ? usage.reason : `ledger_${usage.kind}` };
    }
    return {
      status: 'settled',
      holdId,
      outcome: 'succeeded',
      credits: real.toString(),
      captured: captured.toString(),
      excess: excess.toString(),
      priceVersion: quote.versionId,
    };
  }
}
