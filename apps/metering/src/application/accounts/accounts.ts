import { LimitOverridesDto, SubscriptionDto, validatePlain, type FieldIssue } from '@credence/contracts';
import type { Clock } from '@credence/kernel';
import type { MeteringQueries } from '@credence/metering-data-access';
import type { CatalogClient } from '../../clients/catalog-client.js';
import type { LedgerClient } from '../../clients/ledger-client.js';

const ACCOUNT_ID = /^[A-Za-z0-9._:@/+=-]{1,100}$/;

export type AccountReply<T> =
  | { readonly status: 'saved'; readonly value: T }
  | { readonly status: 'invalid'; readonly issues: readonly FieldIssue[] }
  /** The catalog or the ledger did not answer: what was saved stays; the same PUT again completes it. */
  | { readonly status: 'unavailable'; readonly detail: string };

type Subscribed = { accountId: string; catalogId: string; planId: string; allocationCredits: string };

const badAccount: AccountReply<never> = {
  status: 'invalid',
  issues: [{ field: 'accountId', rule: 'matches', message: 'accountId must be 1-100 letters, digits and . _ : @ / + = -' }],
};

/** `PUT /v1/accounts/:id/subscription` and `PUT /v1/accounts/:id/limit-overrides`: an operator's settings of one account. */
export class Accounts {
  constructor(
    private readonly queries: MeteringQueries,
    private readonly catalog: CatalogClient,
    private readonly ledger: LedgerClient,
    private readonly clock: Clock,
  ) {}

  /**
   * Puts the account on a plan the catalog has, and gives it the plan's monthly allocation as the
   * ledger's free monthly allowance: granted within a minute, then renewed at each period start,
   * what is left expiring (rollover rules other than none are not applied: see the docs).
   */
  async setSubscription(accountId: string, body: unknown): Promise<AccountReply<Subscribed>> {
    if (!ACCOUNT_ID.test(accountId)) return badAccount;
    const v = validatePlain(SubscriptionDto, body);
    if (!v.ok) return { status: 'invalid', issues: v.issues };
    const { catalogId, planId } = v.value;
    const now = this.clock.now();
    const plan = await this.catalog.planLimits(catalogId, planId, now);
    if (plan === undefined) return { status: 'invalid', issues: [{ field: 'planId', rule: 'knownPlan', message: `catalog ${catalogId} has no plan ${planId} in force` }] };
    if ('kind' in plan) return { status: 'unavailable', detail: plan.detail };
    const at = new Date(now);
    await this.queries.setSubscription({ accountId, catalogId, planId }, at);
    const allowance = await this.ledger.command('allowance', {
      // Ledger keys are per account and may not contain '#'; at most 13 + 64 + 14 characters.
      key: `subscription:${at.getTime()}:${planId}`,
      accountId,
      freeMonthly: plan.allocationCredits.toString(),
    });
    if (allowance.kind !== 'applied') return { status: 'unavailable', detail: `subscription saved, but the ledger did not set the allowance (${allowance.kind}); send the same PUT again` };
    return { status: 'saved', value: { accountId, catalogId, planId, allocationCredits: plan.allocationCredits.toString() } };
  }

  /** The account's plan, or undefined when it has none (or the id cannot be an account's). */
  async subscription(accountId: string): Promise<{ accountId: string; catalogId: string; planId: string } | undefined> {
    if (!ACCOUNT_ID.test(accountId)) return undefined;
    const s = await this.queries.subscription(accountId);
    return s && { accountId, catalogId: s.catalogId, planId: s.planId };
  }

  async setLimitOverrides(accountId: string, body: unknown): Promise<AccountReply<{ accountId: string } & LimitOverridesDto>> {
    if (!ACCOUNT_ID.test(accountId)) return badAccount;
    const v = validatePlain(LimitOverridesDto, body);
    if (!v.ok) return { status: 'invalid', issues: v.issues };
    const o = v.value;
    await this.queries.setOverride(accountId, {
      until: new Date(o.until),
      ...(o.generationsPerDay === undefined ? {} : { generationsPerDay: o.generationsPerDay }),
      ...(o.creditsPerMonth === undefined ? {} : { creditsPerMonth: BigInt(o.creditsPerMonth) }),
      ...(o.concurrentGenerations === undefined ? {} : { concurrentGenerations: o.concurrentGenerations }),
    });
    return { status: 'saved', value: { accountId, ...o } };
  }
}
