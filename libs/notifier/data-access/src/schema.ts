import type { ColumnType, Generated } from 'kysely';

type Int8 = ColumnType<bigint, bigint | string, bigint | string>;
/** bigserial: read as bigint, never written. */
type Serial8 = ColumnType<bigint, never, never>;

/** Kysely's view of the notifier schema. */
export interface NotifierDatabase {
  webhook_endpoints: {
    id: string;
    account_id: string;
    url: string;
    kinds: string[];
    secret: string;
    description: string;
    created_at: Date;
    deleted_at: Date | null;
  };
  email_recipients: { id: string; account_id: string; address: string; kinds: string[]; created_at: Date; deleted_at: Date | null };
  notifications: { id: string; cause_id: string; account_id: string; kind: string; occurred_at: Date; body: string; created_at: Date };
  deliveries: {
    id: Serial8;
    notification_id: string;
    account_id: string;
    kind: string;
    channel: 'webhook' | 'email';
    target_id: string;
    target: string;
    status: 'pending' | 'delivered' | 'dead' | 'cancelled';
    attempts: Generated<number>;
    next_attempt_at: Date | null;
    give_up_at: Date;
    last_error: string | null;
    created_at: Date;
    updated_at: Date;
    delivered_at: Date | null;
    dead_at: Date | null;
  };
  delivery_attempts: {
    delivery_id: Int8;
    attempt: number;
    started_at: Date;
    duration_ms: number;
    outcome: 'delivered' | 'failed';
    status_code: number | null;
    error: string | null;
  };
  reminders: {
    account_id: string;
    grant_id: string;
    source: string;
    amount: Int8;
    expires_at: Date;
    notify_at: Date;
    status: 'scheduled' | 'fired' | 'cancelled';
  };
  subscriptions: { account_id: string; catalog_id: string; plan_id: string; set_at: Date };
  rejects: { id: Serial8; stream: string; subject: string; stream_seq: number | null; reason: string; raw: Uint8Array; created_at: Date };
}
