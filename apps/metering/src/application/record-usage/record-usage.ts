import { UsageEventDto, validatePlain, type QuoteReply, type UsageReply } from '@credence/contracts';
import type { Clock } from '@credence/kernel';
import type { MeteringQueries } from '@credence/metering-data-access';
import type { CatalogClient } from '../../clients/catalog-client.js';
import type { LedgerClient } from '../../clients/ledger-client.js';
import type { Unavailable } from '@credence/platform-runtime';

/** Events of one HTTP batch priced and forwarded at once; bounded so one batch cannot flood the ledger. */
const BATCH_CONCURRENCY = 8;

/**
 * Post-paid usage (`POST /v1/usage`, `metering.v1.usage.record`): it already happened, so it is
 * priced with the version in force when it occurred and forwarded to the ledger as RecordUsage,
 * into debt if need be. Each event stands alone: an invalid neighbour never holds a valid one back.
 */
export class RecordUsage {
  constructor(
    private readonly queries: MeteringQueries,
    private readonly catalog: CatalogClient,
    private readonly ledger: LedgerClient,
    private readonly clock: Clock,
  ) {}

  async many(events: readonly unknown[]): Promise<UsageReply[]> {
    const results: UsageReply[] = new Array<UsageReply>(events.length);
    let next = 0;
    const worker = async () => {
      while (next < events.length) {
        const i = next++;
        results[i] = await this.one(events[i]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, events.length) }, worker));
    return results;
  }

  async one(body: unknown): Promise<UsageReply> {
    const validated = validatePlain(UsageEventDto, body);
    if (!validated.ok) return { status: 'invalid', issues: validated.issues.map((i) => ({ ...i })) };
    const dto = validated.value;
    const earlier = await this.queries.usageRecord(dto.accountId, dto.key);
    if (earlier !== undefined) return earlier as UsageReply;
    const occurredAt = dto.occurredAt === undefined ? this.clock.now() : Date.parse(dto.occurredAt);
    const at = new Date(occurredAt).toISOString();
    const subscription = await this.queries.subscription(dto.accountId);
    let quote: QuoteReply | Unavailable = await this.catalog.quote({
      ...(subscription ? { catalogId: subscription.catalogId, planId: subscription.planId } : {}),
      at,
      usage: dto.usage,
    });
    // Usage outside the plan still happened: it is priced by the catalog's own rate card.
    if (subscription && quote.status === 'refused' && quote.reason === 'NOT_IN_PLAN')
      quote = await this.catalog.quote({ catalogId: subscription.catalogId, at, usage: dto.usage });
    if (quote.status === 'unavailable') return { status: 'unavailable', detail: quote.detail };
    if (quote.status === 'invalid') return { status: 'invalid', issues: quote.issues.map((i) => ({ ...i, field: `usage.${i.field}` })) };
    if (quote.status === 'refused') return quote.detail === undefined ? { status: 'refused', reason: quote.reason } : { status: 'refused', reason: quote.reason, detail: quote.detail };
    const credits = BigInt(quote.credits);
    if (credits > 0n) {
      const r = await this.ledger.command('usage', {
        key: dto.key,
        accountId: dto.accountId,
        amount: credits.toString(),
        priceVersion: quote.versionId,
        ...(dto.resource ? { resource: { ...dto.resource } } : {}),
      });
      if (r.kind === 'unavailable') return { status: 'unavailable', detail: r.detail };
      if (r.kind === 'conflict') return { status: 'conflict', reason: 'idempotency_conflict' };
      if (r.kind === 'refused') return { status: 'refused', reason: r.reason };
      if (r.kind === 'invalid') return { status: 'refused', reason: 'LEDGER_REFUSED', detail: JSON.stringify(r.body) };
    }
    const reply: UsageReply = { status: 'recorded', key: dto.key, accountId: dto.accountId, credits: credits.toString(), priceVersion: quote.versionId };
    return (await this.queries.insertUsageRecord({
      accountId: dto.accountId,
      key: dto.key,
      credits,
      priceVersion: quote.versionId,
      occurredAt: new Date(occurredAt),
      result: reply,
    })) as UsageReply;
  }
}
