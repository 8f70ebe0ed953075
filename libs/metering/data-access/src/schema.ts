import type { ColumnType, Generated } from 'kysely';

type Int8 = ColumnType<bigint, bigint | string, bigint | string>;

/** Kysely's view of the metering schema. */
export interface MeteringDatabase {
  api_keys: { id: string; hash: Buffer; scope: unknown; label: Generated<string>; created_at: Generated<Date>; revoked_at: Date | null };
  subscriptions: { account_id: string; catalog_id: string; plan_id: string; updated_at: Generated<Date> };
  limit_overrides: {
    account_id: string;
    until: Date;
    generations_per_day: number | null;
    credits_per_month: Int8 | null;
    concurrent_generations: number | null;
  };
  authorizations: {
    account_id: string;
    key: string;
    hold_id: string | null;
    catalog_id: string | null;
    plan_id: string | null;
    feature: string | null;
    model: string | null;
    estimate_credits: Int8 | null;
    price_version: string | null;
    status: 'open' | 'settled' | 'failed' | 'refused';
    result: unknown;
    settlement: unknown;
    charged_credits: ColumnType<bigint, string | undefined, string>;
    created_at: Date;
    expires_at: Date | null;
    settled_at: Date | null;
  };
  usage_records: {
    account_id: string;
    key: string;
    credits: Int8;
    price_version: string | null;
    occurred_at: Date;
    result: unknown;
  };
  rejects: {
    id: Generated<Int8>;
    subject: string;
    stream_seq: number | null;
    reason: string;
    detail: string;
    raw: Uint8Array;
    created_at: Generated<Date>;
  };
}
