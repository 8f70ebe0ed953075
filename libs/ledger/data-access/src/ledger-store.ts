import type pg from 'pg';
import { encodeEvent, type AccountState, type Charge, type Grant, type Hold, type LedgerEvent, type Resource } from '@credence/ledger-domain';
import { accountRow, stateFromRows, type AccountRow, type ChargeRow, type GrantRow, type HoldRow } from './rows.js';

/** What a stored command led to; replayed as is when the same key comes again. */
export type StoredOutcome =
  | { readonly status: 'applied'; readonly events: number; readonly reply?: Record<string, unknown> }
  | { readonly status: 'refused'; readonly code: string };

export interface StoredCommand {
  readonly bodyHash: string;
  readonly outcome: StoredOutcome;
}

export interface LoadRequest {
  readonly accountIds: readonly string[];
  /** Holds and charges the commands name, whatever their state (an already-resolved hold must be known as such). */
  readonly holdRefs: ReadonlyArray<readonly [accountId: string, holdId: string]>;
  readonly chargeRefs: ReadonlyArray<readonly [accountId: string, chargeId: string]>;
  readonly commandKeys: ReadonlyArray<readonly [accountId: string, key: string]>;
}

export interface LoadedBatch {
  readonly states: Map<string, AccountState>;
  /** Keyed by `commandKeyId(accountId, key)`. */
  readonly commands: Map<string, StoredCommand>;
}

export interface EventToAppend {
  readonly eventId: string;
  readonly accountId: string;
  readonly commandKey: string;
  readonly event: LedgerEvent;
  readonly balanceAfter: bigint;
}

export interface CommandToRecord {
  readonly accountId: string;
  readonly key: string;
  readonly type: string;
  readonly bodyHash: string;
  readonly outcome: StoredOutcome;
}

export interface RejectToRecord {
  readonly subject: string;
  readonly streamSeq: number | null;
  readonly accountId: string | null;
  readonly commandKey: string | null;
  readonly reason: string;
  readonly detail: string;
  readonly raw: Uint8Array;
}

export interface BatchWrite {
  readonly events: readonly EventToAppend[];
  readonly commands: readonly CommandToRecord[];
  /** Each touched account's state as loaded and as it ends the batch. */
  readonly accounts: ReadonlyArray<{ readonly before: AccountState; readonly after: AccountState }>;
  readonly rejects: readonly RejectToRecord[];
}

export const commandKeyId = (accountId: string, key: string): string => `${accountId}\u0000${key}`;

/** Rows of the load statement, as compact JSON arrays (amounts as text, times as ISO text). */
type LoadedGrant = [string, string, string, string, string, number, string, string | null, boolean];
type LoadedHold = [string, string, string, string, string, string, Resource];
type LoadedCharge = [string, string, string, string, string, Array<{ grantId: string; amount: string }>];
type LoadedCommand = [string, string, string, StoredOutcome];

/**
 * Two-key advisory lock: a constant for "the ledger log", and the schema, because advisory locks
 * are per database and two ledgers in two schemas of one database have two logs.
 */
const LOG_APPEND_LOCK = 0x4c454447; // "LEDG"
const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock detected

export interface LedgerStoreOptions {
  /** A batch that hits a deadlock or serialization failure is retried whole, this many times at most. */
  readonly maxAttempts?: number;
}

/**
 * The ledger's writes: one transaction per batch of commands. Accounts are locked in sorted
 * order (so concurrent batches, and concurrent ledger processes, never deadlock on each other),
 * loaded, decided on by the caller, then events, idempotency keys and projections are written
 * together and committed. Nothing is claimed before the write: the idempotency key row lands in
 * the same transaction as the events it guards.
 */
export class LedgerStore {
  private readonly maxAttempts: number;

  constructor(
    private readonly pool: pg.Pool,
    options: LedgerStoreOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 3;
  }

  async inBatch<T>(work: (tx: LedgerTransaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let released = false;
      try {
        await client.query('begin');
        const result = await work(new LedgerTransaction(client));
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        const code = (error as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < this.maxAttempts) {
          client.release();
          released = true;
          continue;
        }
        throw error;
      } finally {
        if (!released) client.release();
      }
    }
  }

  /** Rejects that belong to no batch (a message that could not even be parsed). */
  async recordRejects(rejects: readonly RejectToRecord[]): Promise<void> {
    if (rejects.length === 0) return;
    await writeProjections(this.pool, [], [], rejects);
  }
}

/**
 * The hot statements are named: each pooled connection parses and plans them once, not once a
 * batch. (Each connection's search_path is fixed, so a prepared plan always means one schema.)
 */
export class LedgerTransaction {
  constructor(private readonly client: pg.PoolClient) {}

  async lockAndLoad(request: LoadRequest): Promise<LoadedBatch> {
    const accountIds = [...new Set(request.accountIds)].sort();
    const states = new Map<string, AccountState>();
    const commands = new Map<string, StoredCommand>();
    if (accountIds.length === 0) return { states, commands };
    const c = this.client;

    // Creates missing accounts and locks all of them, in sorted order, in one statement. It must
    // be a statement of its own: a statement reads one snapshot, taken before any lock wait, so
    // loading in the same statement could read grants as they were before the lock holder committed.
    const accounts = await c.query<AccountRow>({
      name: 'ledger-lock-accounts',
      text: `insert into accounts (account_id) select id from unnest($1::text[]) as t(id) order by id
       on conflict (account_id) do update set account_id = excluded.account_id
       returning *`,
      values: [accountIds],
    });
    // Everything else in one round trip. Amounts travel as text: a JSON number above 2^53 would lose digits.
    const loaded = await c.query<{ grants: LoadedGrant[]; holds: LoadedHold[]; charges: LoadedCharge[]; commands: LoadedCommand[] }>({
      name: 'ledger-load',
      text: `with ch as (
         select c.* from charges c join unnest($4::text[], $5::text[]) as r(a, id) on c.account_id = r.a and c.charge_id = r.id
       ), g as (
         select * from grants where account_id = any($1) and remaining > 0 and not expired
         union all
         -- a refund goes back to the charge's grants, which may be spent down to nothing by now.
         -- A lateral lookup by primary key, driven by the (usually empty) refund list; its limit keeps
         -- the planner from flattening it back into a join, whose generic plan could hash the whole
         -- grants table on every batch (seen in the metering benchmark).
         select g.* from (select distinct ch.account_id as a, x->>'grantId' as id from ch, jsonb_array_elements(ch.allocations) x) r
           cross join lateral (select * from grants where account_id = r.a and grant_id = r.id limit 1) g
          where not (g.remaining > 0 and not g.expired)
       ), h as (
         select * from holds where account_id = any($1) and status = 'open'
         union
         select h.* from holds h join unnest($2::text[], $3::text[]) as r(a, id) on h.account_id = r.a and h.hold_id = r.id
       ), k as (
         select c.* from commands c join unnest($6::text[], $7::text[]) as r(a, k) on c.account_id = r.a and c.key = r.k
       )
       select
         (select coalesce(json_agg(json_build_array(account_id, grant_id, source, amount::text, remaining::text, priority,
                                                    effective_at, expires_at, expired)), '[]') from g) as grants,
         (select coalesce(json_agg(json_build_array(account_id, hold_id, amount::text, status, placed_at, expires_at, resource)), '[]') from h) as holds,
         (select coalesce(json_agg(json_build_array(account_id, charge_id, amount::text, debt_incurred::text, refunded::text, allocations)), '[]') from ch) as charges,
         (select coalesce(json_agg(json_build_array(account_id, key, body_hash, outcome)), '[]') from k) as commands`,
      values: [
        accountIds,
        request.holdRefs.map((r) => r[0]),
        request.holdRefs.map((r) => r[1]),
        request.chargeRefs.map((r) => r[0]),
        request.chargeRefs.map((r) => r[1]),
        request.commandKeys.map((r) => r[0]),
        request.commandKeys.map((r) => r[1]),
      ],
    });
    const row = loaded.rows[0];
    if (!row) throw new Error('the load query returned no row');
    for (const [accountId, key, bodyHash, outcome] of row.commands) commands.set(commandKeyId(accountId, key), { bodyHash, outcome });

    const grants = new Map<string, GrantRow[]>();
    const holds = new Map<string, HoldRow[]>();
    const charges = new Map<string, ChargeRow[]>();
    const push = <R>(map: Map<string, R[]>, accountId: string, r: R) => {
      const list = map.get(accountId);
      if (list) list.push(r);
      else map.set(accountId, [r]);
    };
    for (const [account_id, grant_id, source, amount, remaining, priority, effective, expires, expired] of row.grants) {
      push(grants, account_id, {
        account_id,
        grant_id,
        source,
        amount: BigInt(amount),
        remaining: BigInt(remaining),
        priority,
        effective_at: new Date(effective),
        expires_at: expires === null ? null : new Date(expires),
        expired,
      });
    }
    for (const [account_id, hold_id, amount, status, placed, expires, resource] of row.holds) {
      push(holds, account_id, { account_id, hold_id, amount: BigInt(amount), status, placed_at: new Date(placed), expires_at: new Date(expires), resource });
    }
    for (const [account_id, charge_id, amount, debt, refunded, allocations] of row.charges) {
      push(charges, account_id, { account_id, charge_id, amount: BigInt(amount), debt_incurred: BigInt(debt), refunded: BigInt(refunded), allocations });
    }
    for (const a of accounts.rows) {
      states.set(a.account_id, stateFromRows(a, grants.get(a.account_id) ?? [], holds.get(a.account_id) ?? [], charges.get(a.account_id) ?? []));
    }
    return { states, commands };
  }

  /**
   * Writes the projections, the idempotency records and the rejects in one statement, then takes
   * the log-append lock and appends the events. Returns the events' positions.
   */
  async write(batch: BatchWrite): Promise<bigint[]> {
    const c = this.client;
    await writeProjections(c, batch.accounts, batch.commands, batch.rejects);
    if (batch.events.length === 0) return [];

    // Log positions must follow commit order, or a reader tailing the log by position could skip
    // a row that commits late. Every appender takes this lock last and holds it to commit, so
    // positions are handed out in commit order. Row locks are all taken before it: nothing that
    // holds it waits on anything but the commit.
    await c.query({ name: 'ledger-append-lock', text: 'select pg_advisory_xact_lock($1, hashtext(current_schema()))', values: [LOG_APPEND_LOCK] });
    const e = batch.events;
    const inserted = await c.query<{ seq: bigint }>({
      name: 'ledger-append-events',
      text: `insert into events (event_id, account_id, type, command_key, occurred_at, balance_after, data)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::int8[], $7::jsonb[])
       returning seq`,
      values: [
        e.map((x) => x.eventId),
        e.map((x) => x.accountId),
        e.map((x) => x.event.type),
        e.map((x) => x.commandKey),
        e.map((x) => new Date(x.event.at).toISOString()),
        e.map((x) => x.balanceAfter.toString()),
        e.map((x) => JSON.stringify(encodeEvent(x.event))),
      ],
    });
    return inserted.rows.map((r) => r.seq);
  }
}

/** Postgres text cannot hold NUL: a reject must be recordable whatever it carried (its raw bytes stay exact). */
const printable = (text: string): string => text.replaceAll('\u0000', '\uFFFD');

/**
 * Upserts what changed (copy-on-write states make a changed grant, hold or charge a new object),
 * records commands and rejects: one statement, one round trip, whatever the batch holds.
 */
export async function writeProjections(
  c: pg.Pool | pg.PoolClient,
  accounts: ReadonlyArray<{ readonly before: AccountState | null; readonly after: AccountState }>,
  commands: readonly CommandToRecord[] = [],
  rejects: readonly RejectToRecord[] = [],
): Promise<void> {
  const changed = accounts.filter((a) => a.before === null || a.before.version !== a.after.version);
  if (changed.length === 0 && commands.length === 0 && rejects.length === 0) return;
  const rows = changed.map((a) => accountRow(a.after));
  const grants: Array<[string, Grant]> = [];
  const holds: Array<[string, Hold]> = [];
  const charges: Array<[string, Charge]> = [];
  for (const { before, after } of changed) {
    for (const [id, g] of after.grants) if (before?.grants.get(id) !== g) grants.push([after.accountId, g]);
    for (const [id, h] of after.holds) if (before?.holds.get(id) !== h) holds.push([after.accountId, h]);
    for (const [id, ch] of after.charges) if (before?.charges.get(id) !== ch) charges.push([after.accountId, ch]);
  }
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  await c.query({
    name: 'ledger-write-projections',
    text: `with a as (
       insert into accounts (account_id, version, balance, debt, held, free, plan, purchased, promo, adjustment,
                             allowance_free_monthly, allowance_anchor_day, last_reset_period, thresholds, updated_at)
       select *, now() from unnest($1::text[], $2::int8[], $3::int8[], $4::int8[], $5::int8[], $6::int8[], $7::int8[], $8::int8[],
                                   $9::int8[], $10::int8[], $11::int8[], $12::int4[], $13::text[], $14::jsonb[])
       on conflict (account_id) do update set version = excluded.version, balance = excluded.balance, debt = excluded.debt,
         held = excluded.held, free = excluded.free, plan = excluded.plan, purchased = excluded.purchased, promo = excluded.promo,
         adjustment = excluded.adjustment, allowance_free_monthly = excluded.allowance_free_monthly,
         allowance_anchor_day = excluded.allowance_anchor_day, last_reset_period = excluded.last_reset_period,
         thresholds = excluded.thresholds, updated_at = excluded.updated_at
       returning 1
     ), g as (
       insert into grants (account_id, grant_id, source, amount, remaining, priority, effective_at, expires_at, expired)
       select * from unnest($15::text[], $16::text[], $17::text[], $18::int8[], $19::int8[], $20::int4[], $21::timestamptz[], $22::timestamptz[], $23::bool[])
       on conflict (account_id, grant_id) do update set remaining = excluded.remaining, expired = excluded.expired
       returning 1
     ), h as (
       insert into holds (account_id, hold_id, amount, status, placed_at, expires_at, resource)
       select * from unnest($24::text[], $25::text[], $26::int8[], $27::text[], $28::timestamptz[], $29::timestamptz[], $30::jsonb[])
       on conflict (account_id, hold_id) do update set status = excluded.status
       returning 1
     ), ch as (
       insert into charges (account_id, charge_id, amount, debt_incurred, refunded, allocations)
       select * from unnest($31::text[], $32::text[], $33::int8[], $34::int8[], $35::int8[], $36::jsonb[])
       on conflict (account_id, charge_id) do update set refunded = excluded.refunded
       returning 1
     ), k as (
       insert into commands (account_id, key, type, body_hash, outcome)
       select * from unnest($37::text[], $38::text[], $39::text[], $40::text[], $41::jsonb[])
       returning 1
     ), r as (
       insert into rejects (subject, stream_seq, account_id, command_key, reason, detail, raw)
       select * from unnest($42::text[], $43::int8[], $44::text[], $45::text[], $46::text[], $47::text[], $48::bytea[])
       returning 1
     )
     select 1`,
    values: [
      rows.map((r) => r.account_id),
      rows.map((r) => r.version.toString()),
      rows.map((r) => r.balance.toString()),
      rows.map((r) => r.debt.toString()),
      rows.map((r) => r.held.toString()),
      rows.map((r) => r.free.toString()),
      rows.map((r) => r.plan.toString()),
      rows.map((r) => r.purchased.toString()),
      rows.map((r) => r.promo.toString()),
      rows.map((r) => r.adjustment.toString()),
      rows.map((r) => r.allowance_free_monthly?.toString() ?? null),
      rows.map((r) => r.allowance_anchor_day),
      rows.map((r) => r.last_reset_period),
      rows.map((r) => JSON.stringify(r.thresholds)),
      grants.map(([a]) => a),
      grants.map(([, g]) => g.id),
      grants.map(([, g]) => g.source),
      grants.map(([, g]) => g.amount.toString()),
      grants.map(([, g]) => g.remaining.toString()),
      grants.map(([, g]) => g.priority),
      grants.map(([, g]) => iso(g.effectiveAt)),
      grants.map(([, g]) => iso(g.expiresAt)),
      grants.map(([, g]) => g.expired),
      holds.map(([a]) => a),
      holds.map(([, h]) => h.id),
      holds.map(([, h]) => h.amount.toString()),
      holds.map(([, h]) => h.status),
      holds.map(([, h]) => iso(h.placedAt)),
      holds.map(([, h]) => iso(h.expiresAt)),
      holds.map(([, h]) => JSON.stringify(h.resource)),
      charges.map(([a]) => a),
      charges.map(([, ch]) => ch.id),
      charges.map(([, ch]) => ch.amount.toString()),
      charges.map(([, ch]) => ch.debtIncurred.toString()),
      charges.map(([, ch]) => ch.refunded.toString()),
      charges.map(([, ch]) => JSON.stringify(ch.allocations.map((x) => ({ grantId: x.grantId, amount: x.amount.toString() })))),
      commands.map((x) => x.accountId),
      commands.map((x) => x.key),
      commands.map((x) => x.type),
      commands.map((x) => x.bodyHash),
      commands.map((x) => JSON.stringify(x.outcome)),
      rejects.map((r) => printable(r.subject)),
      rejects.map((r) => (r.streamSeq === null ? null : String(r.streamSeq))),
      rejects.map((r) => (r.accountId === null ? null : printable(r.accountId))),
      rejects.map((r) => (r.commandKey === null ? null : printable(r.commandKey))),
      rejects.map((r) => printable(r.reason)),
      rejects.map((r) => printable(r.detail)),
      rejects.map((r) => Buffer.from(r.raw)),
    ],
  });
}
