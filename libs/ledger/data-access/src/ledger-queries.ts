import { sql, type Kysely } from 'kysely';
import { decodeEvent, type LedgerEvent } from '@credence/ledger-domain';
import type { LedgerDatabase } from './schema.js';
import { stateFromRows } from './rows.js';
import type { AccountState } from '@credence/ledger-domain';

export interface StoredEvent {
  readonly seq: bigint;
  readonly eventId: string;
  readonly accountId: string;
  readonly commandKey: string;
  readonly occurredAt: Date;
  readonly balanceAfter: bigint;
  readonly event: LedgerEvent;
  /** The event as stored (amounts as strings, times as ISO), for publishing and export as is. */
  readonly data: Record<string, unknown>;
}

export interface TransactionFilter {
  readonly accountId: string;
  readonly types?: readonly string[];
  readonly projectId?: string;
  readonly sessionId?: string;
  readonly generationId?: string;
  readonly from?: Date;
  readonly to?: Date;
  /** Return events strictly older than this position (cursor pagination, newest first). */
  readonly beforeSeq?: bigint;
  readonly limit: number;
}

const toStored = (r: {
  seq: bigint;
  event_id: string;
  account_id: string;
  command_key: string;
  occurred_at: Date;
  balance_after: bigint;
  data: Record<string, unknown>;
}): StoredEvent => {
  let event: LedgerEvent | undefined;
  return {
    seq: r.seq,
    eventId: r.event_id,
    accountId: r.account_id,
    commandKey: r.command_key,
    occurredAt: r.occurred_at,
    balanceAfter: r.balance_after,
    // Decoded on first use: the relay and the export only pass the stored form along.
    get event() {
      return (event ??= decodeEvent(r.data));
    },
    data: r.data,
  };
};

/** Reads of the ledger schema: balances, history, the log for the relay, export and rebuild. */
export class LedgerQueries {
  constructor(private readonly db: Kysely<LedgerDatabase>) {}

  /** The account's full state as the projections hold it (every grant, hold and charge), or undefined. */
  async accountState(accountId: string): Promise<AccountState | undefined> {
    // One snapshot for the three reads: a batch committing in between must not be half seen.
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const account = await trx.selectFrom('accounts').selectAll().where('account_id', '=', accountId).executeTakeFirst();
        if (!account) return undefined;
        const grants = await trx.selectFrom('grants').selectAll().where('account_id', '=', accountId).where('remaining', '>', 0n).where('expired', '=', false).execute();
        const holds = await trx.selectFrom('holds').selectAll().where('account_id', '=', accountId).where('status', '=', 'open').execute();
        return stateFromRows(account, grants, holds, []);
      });
  }

  async transactions(f: TransactionFilter): Promise<StoredEvent[]> {
    let q = this.db
      .selectFrom('events')
      .select(['seq', 'event_id', 'account_id', 'command_key', 'occurred_at', 'balance_after', 'data'])
      .where('account_id', '=', f.accountId);
    if (f.types && f.types.length > 0) q = q.where('type', 'in', [...f.types]);
    if (f.projectId !== undefined) q = q.where(sql<string>`data #>> '{resource,projectId}'`, '=', f.projectId);
    if (f.sessionId !== undefined) q = q.where(sql<string>`data #>> '{resource,sessionId}'`, '=', f.sessionId);
    if (f.generationId !== undefined) q = q.where(sql<string>`data #>> '{resource,generationId}'`, '=', f.generationId);
    if (f.from) q = q.where('occurred_at', '>=', f.from);
    if (f.to) q = q.where('occurred_at', '<', f.to);
    if (f.beforeSeq !== undefined) q = q.where('seq', '<', f.beforeSeq);
    const rows = await q.orderBy('seq', 'desc').limit(f.limit).execute();
    return rows.map(toStored);
  }

  /** The log in position order after `afterSeq`: for the outbox relay. */
  async eventsAfter(afterSeq: bigint, limit: number): Promise<StoredEvent[]> {
    const rows = await this.db
      .selectFrom('events')
      .select(['seq', 'event_id', 'account_id', 'command_key', 'occurred_at', 'balance_after', 'data'])
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map(toStored);
  }

  /** Events in a time range (and optionally one account), in log order, page by page. */
  async *eventsInRange(range: { from: Date; to: Date; accountId?: string; pageSize: number }): AsyncGenerator<StoredEvent> {
    let after = 0n;
    for (;;) {
      let q = this.db
        .selectFrom('events')
        .select(['seq', 'event_id', 'account_id', 'command_key', 'occurred_at', 'balance_after', 'data'])
        .where('seq', '>', after)
        .where('occurred_at', '>=', range.from)
        .where('occurred_at', '<', range.to);
      if (range.accountId !== undefined) q = q.where('account_id', '=', range.accountId);
      const rows = await q.orderBy('seq').limit(range.pageSize).execute();
      for (const r of rows) yield toStored(r);
      const last = rows.at(-1);
      if (!last || rows.length < range.pageSize) return;
      after = last.seq;
    }
  }

  /**
   * Work for the sweeper at `now`: accounts with an open hold or a live grant past its time, and
   * accounts in debt holding a grant that has started since (it pays the debt first).
   */
  async accountsDueForHousekeeping(now: Date, limit: number): Promise<string[]> {
    const rows = await sql<{ account_id: string }>`
      (select account_id from holds where status = 'open' and expires_at <= ${now} limit ${limit})
      union
      (select account_id from grants where remaining > 0 and not expired and expires_at <= ${now} limit ${limit})
      union
      (select a.account_id from accounts a
        where a.debt > 0 and exists (
          select 1 from grants g where g.account_id = a.account_id and g.remaining > 0 and not g.expired
             and g.effective_at <= ${now} and (g.expires_at is null or g.expires_at > ${now}))
        limit ${limit})
      limit ${limit}`.execute(this.db);
    return rows.rows.map((r) => r.account_id).sort();
  }

  /**
   * Accounts with a free allowance whose current period has not been reset yet. The period of an
   * account anchored on day d is the month of (now - (d - 1) days): the domain's `periodAt`.
   */
  async accountsDueForReset(now: Date, limit: number): Promise<Array<{ accountId: string; period: string }>> {
    const rows = await sql<{ account_id: string; period: string }>`
      select account_id, period from (
        select account_id, last_reset_period,
               to_char((${now}::timestamptz at time zone 'UTC') - make_interval(days => allowance_anchor_day - 1), 'YYYY-MM') as period
        from accounts where allowance_free_monthly is not null
      ) a
      where last_reset_period is null or last_reset_period < period
      order by account_id limit ${limit}`.execute(this.db);
    return rows.rows.map((r) => ({ accountId: r.account_id, period: r.period }));
  }

  async outboxPosition(name: string): Promise<bigint> {
    const row = await this.db.selectFrom('outbox_position').select('last_seq').where('name', '=', name).executeTakeFirst();
    return row?.last_seq ?? 0n;
  }

  async saveOutboxPosition(name: string, lastSeq: bigint): Promise<void> {
    await this.db
      .insertInto('outbox_position')
      .values({ name, last_seq: lastSeq })
      .onConflict((oc) => oc.column('name').doUpdateSet({ last_seq: lastSeq }))
      .execute();
  }

  async rejects(limit = 100) {
    return this.db.selectFrom('rejects').selectAll().orderBy('id').limit(limit).execute();
  }
}
