import type { ColumnType, Generated } from 'kysely';
import type { Resource } from '@credence/ledger-domain';

/** Kysely's view of the ledger schema, for the read side (the write side is in LedgerStore). */
export interface LedgerDatabase {
  events: {
    seq: ColumnType<bigint, never, never>;
    event_id: string;
    account_id: string;
    type: string;
    command_key: string;
    occurred_at: Date;
    recorded_at: Generated<Date>;
    balance_after: bigint;
    data: Record<string, unknown>;
  };
  accounts: {
    account_id: string;
    version: bigint;
    balance: bigint;
    debt: bigint;
    held: bigint;
    free: bigint;
    plan: bigint;
    purchased: bigint;
    promo: bigint;
    adjustment: bigint;
    allowance_free_monthly: bigint | null;
    allowance_anchor_day: number | null;
    last_reset_period: string | null;
    thresholds: Record<string, { level: string; armed: boolean }>;
    updated_at: Date;
  };
  grants: {
    account_id: string;
    grant_id: string;
    source: string;
    amount: bigint;
    remaining: bigint;
    priority: number;
    effective_at: Date;
    expires_at: Date | null;
    expired: boolean;
  };
  holds: {
    account_id: string;
    hold_id: string;
    amount: bigint;
    status: string;
    placed_at: Date;
    expires_at: Date;
    resource: Resource;
  };
  charges: {
    account_id: string;
    charge_id: string;
    amount: bigint;
    debt_incurred: bigint;
    refunded: bigint;
    allocations: Array<{ grantId: string; amount: string }>;
  };
  commands: {
    account_id: string;
    key: string;
    type: string;
    body_hash: string;
    outcome: Record<string, unknown>;
    recorded_at: Generated<Date>;
  };
  rejects: {
    id: Generated<bigint>;
    received_at: Generated<Date>;
    subject: string;
    stream_seq: bigint | null;
    account_id: string | null;
    command_key: string | null;
    reason: string;
    detail: string;
    raw: Buffer;
  };
  outbox_position: { name: string; last_seq: bigint };
}
