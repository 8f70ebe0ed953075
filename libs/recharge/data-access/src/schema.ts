import type { ColumnType, Generated } from 'kysely';

type Int8 = ColumnType<bigint, bigint | string, bigint | string>;

/** Kysely's view of the recharge schema. */
export interface RechargeDatabase {
  settings: {
    account_id: string;
    enabled: boolean;
    pack_id: string;
    threshold: Int8;
    monthly_limit_minor: Int8 | null;
    currency: string | null;
    payment_method_id: string | null;
    enabled_since: Date | null;
    consecutive_failures: Generated<number>;
    disabled_reason: string | null;
    version: number;
    ledger_threshold_version: number | null;
    updated_at: Date;
  };
  payment_methods: { id: string; account_id: string; brand: string; last4: string; created_at: Date };
  purchases: {
    id: string;
    account_id: string;
    trigger: 'manual' | 'auto';
    key: string | null;
    cause: string | null;
    month: string | null;
    catalog_id: string | null;
    plan_id: string | null;
    pack_id: string;
    pack_version: string | null;
    credits: Int8 | null;
    amount_minor: Int8 | null;
    currency: string | null;
    payment_method_id: string | null;
    status: string;
    reason: string | null;
    attempts: Generated<number>;
    attempt_started_at: Date | null;
    next_attempt_at: Date | null;
    created_at: Date;
    updated_at: Date;
    paid_at: Date | null;
    granted_at: Date | null;
  };
  attempts: { id: Generated<bigint>; purchase_id: string; attempt: number; outcome: string; detail: string | null; at: Date };
  outbox: { id: string; seq: Generated<bigint>; subject: string; payload: unknown; created_at: Generated<Date>; published_at: Date | null };
  sandbox_payment_methods: { id: string; account_id: string; card_number: string; behaviour: string; created_at: Date };
  sandbox_charges: {
    id: string;
    idempotency_key: string;
    payment_method_id: string;
    account_id: string;
    amount_minor: Int8;
    currency: string;
    status: string;
    settles_to: string;
    decline_code: string | null;
    created_at: Date;
    settle_at: Date;
    settled_at: Date | null;
    webhook_due_at: Date | null;
    webhook_attempts: Generated<number>;
    webhook_delivered_at: Date | null;
  };
}
