import { AuthorizeDto, DEFAULT_AUTHORIZATION_TTL_MS, validatePlain, type AuthorizeReply, type MeteringRefusal } from '@credence/contracts';
import type { Clock } from '@credence/kernel';
import type { MeteringQueries, Subscription } from '@credence/metering-data-access';
import type { CatalogClient } from '../../clients/catalog-client.js';
import type { LedgerClient } from '../../clients/ledger-client.js';

const refused = (reason: MeteringRefusal, detail?: string): AuthorizeReply =>
  detail === undefined ? { status: 'refused', reason } : { status: 'refused', reason, detail };

/** Catalog refusals that mean "this plan does not cover this usage". */
const NOT_ALLOWED = new Set(['NOT_IN_PLAN', 'UNKNOWN_PLAN', 'UNKNOWN_CATALOG', 'NO_VERSION_IN_FORCE', 'UNKNOWN_RATE_CARD']);

/**
 * `metering.v1.authorize` and `POST /v1/authorizations`: plan, price, limits, then a ledger hold of
 * the estimate. A refusal charges nothing; every answer but "unavailable" is stored under the key.
 */
/** Metering's id of a hold: the account and the caller's key (the ledger's own hold id is the key). */
export const meteringHoldId = (accountId: string, key: string): string => `${accountId}:${key}`;

export class Authorize {
  constructor(
    private readonly queries: MeteringQueries,
    private readonly catalog: CatalogClient,
    private readonly ledger: LedgerClient,
    private readonly clock: Clock,
  ) {}

  async execute(body: unknown): Promise<AuthorizeReply> {
    const validated = validatePlain(AuthorizeDto, body);
    if (!validated.ok) return { status: 'invalid', issues: validated.issues.map((i) => ({ ...i })) };
    const dto = validated.value;
    const earlier = await this.queries.authorizationByKey(dto.accountId, dto.key);
    if (earlier) return earlier.result as AuthorizeReply;

    const subscription = await this.queries.subscription(dto.accountId);
    if (!subscription) return this.store(dto, undefined, refused('plan_not_allowed', 'the account has no subscription'));
    const now = this.clock.now();
    const quote = await this.catalog.quote({ catalogId: subscription.catalogId, planId: subscription.planId, at: new Date(now).toISOString(), usage: dto.estimate });
    if (quote.status === 'unavailable') return { status: 'unavailable', detail: quote.detail };
    if (quote.status === 'invalid') return { status: 'invalid', issues: quote.issues.map((i) => ({ ...i, field: `estimate.${i.field}` })) };
    if (quote.status === 'refused') {
      if (NOT_ALLOWED.has(quote.reason)) return this.store(dto, subscription, refused('plan_not_allowed', quote.reason));
      return { status: 'invalid', issues: [{ field: 'estimate', rule: quote.reason, message: quote.detail ?? quote.reason }] };
    }
    const plan = await this.catalog.planLimits(subscription.catalogId, subscription.planId, now);
    if (plan === undefined) return this.store(dto, subscription, refused('plan_not_allowed', 'UNKNOWN_PLAN'));
    if ('kind' in plan) return { status: 'unavailable', detail: plan.detail };
    const credits = BigInt(quote.credits);

    const answer = await this.queries.withAccountLock(dto.accountId, async (trx, locked) => {
      const twin = await this.queries.authorizationByKey(dto.accountId, dto.key, trx);
      if (twin) return twin.result as AuthorizeReply;
      const at = new Date(now);
      const override = await this.queries.overrideInForce(dto.accountId, at, trx);
      const used = await this.queries.usage(dto.accountId, at, trx);
      const daily = override?.generationsPerDay ?? plan.generationsPerDay;
      const monthly = override?.creditsPerMonth ?? plan.creditsPerMonth;
      const concurrent = override?.concurrentGenerations ?? plan.concurrentGenerations;
      let refusal: AuthorizeReply | undefined;
      if (daily !== undefined && used.generationsToday >= daily) {
        refusal = refused('daily_limit_reached', `${used.generationsToday} of ${daily} today`);
        await this.queries.limitReached(trx, dto.accountId, 'daily_generations', daily, at);
      } else if (monthly !== undefined && used.creditsThisMonth + credits > monthly) {
        refusal = refused('monthly_cap_reached', `${used.creditsThisMonth} + ${credits} > ${monthly} this month`);
        await this.queries.limitReached(trx, dto.accountId, 'monthly_credits', monthly, at);
      } else if (concurrent !== undefined && used.openNow >= concurrent) refusal = refused('concurrency_limit_reached', `${used.openNow} of ${concurrent} open`);
      // Concurrency frees itself within minutes: it is answered, not announced.
      if (refusal) return this.store(dto, locked, refusal, trx);

      // The ledger scopes holds by account; metering's hold id must be unique across accounts, so it
      // names both (two tenants may well both use the key "gen-1").
      const publicHoldId = meteringHoldId(dto.accountId, dto.key);
      const holder = await this.queries.authorizationByHold(publicHoldId, trx);
      if (holder) return { status: 'conflict', reason: 'key_in_use' } satisfies AuthorizeReply;
      const ttlMs = dto.ttlMs ?? DEFAULT_AUTHORIZATION_TTL_MS;
      const hold = await this.ledger.placeHold({
        key: dto.key,
        accountId: dto.accountId,
        amount: credits.toString(),
        ttlMs,
        ...(dto.resource ? { resource: { ...dto.resource } } : {}),
      });
      if (hold.status === 'unavailable') return { status: 'unavailable', detail: hold.detail } satisfies AuthorizeReply;
      if (hold.status === 'invalid') return { status: 'conflict', reason: 'idempotency_conflict' } satisfies AuthorizeReply;
      if (hold.status === 'refused') {
        if (hold.reason === 'INSUFFICIENT_CREDITS') return this.store(dto, locked, refused('insufficient_credits'), trx);
        return { status: 'unavailable', detail: `the ledger refused the hold: ${hold.reason}` } satisfies AuthorizeReply;
      }
      const approved: AuthorizeReply = { status: 'approved', holdId: publicHoldId, credits: hold.amount, expiresAt: hold.expiresAt, priceVersion: quote.versionId };
      const row = await this.queries.insertAuthorization(
        {
          accountId: dto.accountId,
          key: dto.key,
          holdId: publicHoldId,
          catalogId: locked.catalogId,
          planId: locked.planId,
          feature: dto.feature ?? null,
          model: dto.model ?? null,
          estimateCredits: credits,
          priceVersion: quote.versionId,
          status: 'open',
          result: approved,
          createdAt: at,
          expiresAt: new Date(hold.expiresAt),
        },
        trx,
      );
      return row.result as AuthorizeReply;
    });
    // The subscription was removed between the read and the lock (it cannot be today): answer as without one.
    return answer ?? refused('plan_not_allowed', 'the account has no subscription');
  }

  private async store(dto: AuthorizeDto, s: Subscription | undefined, reply: AuthorizeReply, trx?: Parameters<MeteringQueries['insertAuthorization']>[1]): Promise<AuthorizeReply> {
    const row = await this.queries.insertAuthorization(
      {
        accountId: dto.accountId,
        key: dto.key,
        holdId: null,
        catalogId: s?.catalogId ?? null,
        planId: s?.planId ?? null,
        feature: dto.feature ?? null,
        model: dto.model ?? null,
        estimateCredits: null,
        priceVersion: null,
        status: 'refused',
        result: reply,
        createdAt: new Date(this.clock.now()),
        expiresAt: null,
      },
      trx,
    );
    return row.result as AuthorizeReply;
  }
}
