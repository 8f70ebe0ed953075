import { validatePlain } from '../validation.js';
import { AuthorizeDto, LimitOverridesDto, RefundDto, SettleDto, SubscriptionDto, UsageBatchDto, UsageEventDto } from './dtos.js';

const fields = (r: ReturnType<typeof validatePlain>) => (r.ok ? [] : r.issues.map((i) => `${i.field}:${i.rule}`));
const image = { kind: 'units', unit: 'image', count: '1' };

describe('metering DTOs', () => {
  it('accepts an authorization with an estimate in the quote usage shape, and refuses # in keys, unknown fields and a bad ttl', () => {
    expect(validatePlain(AuthorizeDto, { key: 'gen-1', accountId: 'acct-1', feature: 'f', estimate: image, ttlMs: 60_000 }).ok).toBe(true);
    expect(fields(validatePlain(AuthorizeDto, { key: 'a#1', accountId: 'acct', estimate: image, x: 1, ttlMs: 10 }))).toEqual(
      expect.arrayContaining(['key:matches', 'x:unknownField', 'ttlMs:min']),
    );
    expect(fields(validatePlain(AuthorizeDto, { key: 'k', accountId: 'a', estimate: { kind: 'units', unit: 'x', count: 1 } }))).toContain('estimate.count:isAmount');
  });

  it('requires usage when a generation succeeded, not when it failed', () => {
    expect(validatePlain(SettleDto, { outcome: 'failed' }).ok).toBe(true);
    expect(validatePlain(SettleDto, { outcome: 'succeeded', usage: image }).ok).toBe(true);
    expect(fields(validatePlain(SettleDto, { outcome: 'succeeded' }))).toContain('usage:isObject');
    expect(fields(validatePlain(SettleDto, { outcome: 'done' }))).toContain('outcome:isIn');
  });

  it('validates usage events, batches, refunds, overrides and subscriptions', () => {
    expect(validatePlain(UsageEventDto, { key: 'u', accountId: 'a', usage: image, occurredAt: '2026-11-01T00:00:00Z' }).ok).toBe(true);
    expect(fields(validatePlain(UsageEventDto, { key: 'u', accountId: 'a', usage: image, occurredAt: 'yesterday' }))).toContain('occurredAt:isTimestamp');
    expect(fields(validatePlain(UsageBatchDto, { events: [] }))).toContain('events:arrayMinSize');
    expect(fields(validatePlain(UsageBatchDto, { events: new Array(1001).fill({}) }))).toContain('events:arrayMaxSize');
    expect(validatePlain(RefundDto, { key: 'r', accountId: 'a', chargeId: 'u', amount: '10' }).ok).toBe(true);
    expect(fields(validatePlain(RefundDto, { key: 'r', accountId: 'a', chargeId: 'u', amount: '0' }))).toContain('amount:isAmount');
    expect(validatePlain(LimitOverridesDto, { until: '2026-12-01T00:00:00Z', generationsPerDay: 5, creditsPerMonth: '1000' }).ok).toBe(true);
    expect(fields(validatePlain(LimitOverridesDto, { generationsPerDay: -1 }))).toEqual(expect.arrayContaining(['until:isTimestamp', 'generationsPerDay:min']));
    expect(fields(validatePlain(SubscriptionDto, { catalogId: 'Bad Id', planId: 'pro' }))).toContain('catalogId:matches');
  });
});
