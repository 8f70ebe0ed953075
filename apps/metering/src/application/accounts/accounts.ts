import { LimitOverridesDto, SubscriptionDto, validatePlain, type FieldIssue } from '@credence/contracts';
import type { Clock } from '@credence/kernel';
import type { MeteringQueries } from '@credence/metering-data-access';

const ACCOUNT_ID = /^[A-Za-z0-9._:@/+=-]{1,100}$/;

export type AccountReply<T> = { readonly status: 'saved'; readonly value: T } | { readonly status: 'invalid'; readonly issues: readonly FieldIssue[] };

const badAccount: AccountReply<never> = {
  status: 'invalid',
  issues: [{ field: 'accountId', rule: 'matches', message: 'accountId must be 1-100 letters, digits and . _ : @ / + = -' }],
};

/** `PUT /v1/accounts/:id/subscription` and `PUT /v1/accounts/:id/limit-overrides`: an operator's settings of one account. */
export class Accounts {
  constructor(
    private readonly queries: MeteringQueries,
    private readonly clock: Clock,
  ) {}

  async setSubscription(accountId: string, body: unknown): Promise<AccountReply<{ accountId: string; catalogId: string; planId: string }>> {
    if (!ACCOUNT_ID.test(accountId)) return badAccount;
    const v = validatePlain(SubscriptionDto, body);
    if (!v.ok) return { status: 'invalid', issues: v.issues };
    await this.queries.setSubscription({ accountId, catalogId: v.value.catalogId, planId: v.value.planId }, new Date(this.clock.now()));
    return { status: 'saved', value: { accountId, catalogId: v.value.catalogId, planId: v.value.planId } };
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
