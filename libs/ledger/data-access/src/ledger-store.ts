import type pg from 'pg';
import { encodeEvent, type AccountState, type LedgerEvent } from '@credence/ledger-domain';
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
    await insertRejects(this.pool, rejects);
  }
}

export class LedgerTransaction {
  constructor(private readonly client: pg.PoolClient) {}

  async lockAndLoad(request: LoadRequest): Promise<LoadedBatch> {
    const accountIds = [...new Set(request.accountIds)].sort();
    const states = new Map<string, AccountState>();
    const commands = new Map<string, StoredCommand>();
    if (accountIds.length === 0) return { states, commands };
    const c = this.client;

    // Creates missing accounts and locks all of them, in sorted order, in one statement.
    const accounts = await c.query<AccountRow>(
      `insert into accounts (account_id) select id from unnest($1::text[]) as t(id) order by id
       on conflict (account_id) do update set account_id = excluded.account_id
       returning *`,
      [accountIds],
    );
    const grants = await c.query<GrantRow>(
      `select * from grants where account_id = any($1) and remaining > 0 and not expired`,
      [accountIds],
    );
    const holds = await c.query<HoldRow>(
      `select * from holds where account_id = any($1) and status = 'open'
       union
       select h.* from holds h join unnest($2::text[], $3::text[]) as r(a, h) on h.account_id = r.a and h.hold_id = r.h`,
      [accountIds, request.holdRefs.map((r) => r[0]), request.holdRefs.map((r) => r[1])],
    );
    const charges = await c.query<ChargeRow>(
      `select c.* from charges c join unnest($1::text[], $2::text[]) as r(a, c) on c.account_id = r.a and c.charge_id = r.c`,
      [request.chargeRefs.map((r) => r[0]), request.chargeRefs.map((r) => r[1])],
    );
    // A refund goes back to the charge's grants, which may be spent down to zero by now.
    const refGrants: Array<[string, string]> = [];
    for (const ch of charges.rows) for (const a of ch.allocations) refGrants.push([ch.account_id, a.grantId]);
    const extraGrants =
      refGrants.length === 0
        ? { rows: [] as GrantRow[] }
        : await c.query<GrantRow>(
            `select g.* from grants g join unnest($1::text[], $2::text[]) as r(a, g) on g.account_id = r.a and g.grant_id = r.g
             where not (g.remaining > 0 and not g.expired)`,
            [refGrants.map((r) => r[0]), refGrants.map((r) => r[1])],
          );
    const known = await c.query<{ account_id: string; key: string; body_hash: string; outcome: StoredOutcome }>(
      `select c.account_id, c.key, c.body_hash, c.outcome from commands c
       join unnest($1::text[], $2::text[]) as r(a, k) on c.account_id = r.a and c.key = r.k`,
      [request.commandKeys.map((r) => r[0]), request.commandKeys.map((r) => r[1])],
    );
    for (const row of known.rows) commands.set(commandKeyId(row.account_id, row.key), { bodyHash: row.body_hash, outcome: row.outcome });

    const byAccount = <R extends { account_id: string }>(rows: R[]) => {
      const map = new Map<string, R[]>();
      for (const r of rows) {
        const list = map.get(r.account_id);
        if (list) list.push(r);
        else map.set(r.account_id, [r]);
      }
      return map;
    };
    const g = byAccount([...grants.rows, ...extraGrants.rows]);
    const h = byAccount(holds.rows);
    const ch = byAccount(charges.rows);
    for (const a of accounts.rows) {
      states.set(a.account_id, stateFromRows(a, g.get(a.account_id) ?? [], h.get(a.account_id) ?? [], ch.get(a.account_id) ?? []));
    }
    return { states, commands };
  }

  /** Writes the projections, then the log and the idempotency keys, in commit order. Returns the events' seqs. */
  async write(batch: BatchWrite): Promise<bigint[]> {
    const c = this.client;
    await writeProjections(c, batch.accounts);
    if (batch.rejects.length > 0) await insertRejects(c, batch.rejects);
    if (batch.events.length === 0 && batch.commands.length === 0) return [];

    // Log positions must follow commit order, or a reader tailing the log by position could skip
    // a row that commits late. Every appender takes this lock last and holds it to commit, so
    // sequence numbers are handed out in commit order. Row locks are all taken before it:
    // nothing that holds it waits on anything but the commit.
    await c.query('select pg_advisory_xact_lock($1, hashtext(current_schema()))', [LOG_APPEND_LOCK]);
    let seqs: bigint[] = [];
    if (batch.events.length > 0) {
      const e = batch.events;
      const inserted = await c.query<{ seq: bigint }>(
        `insert into events (event_id, account_id, type, command_key, occurred_at, balance_after, data)
         select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::int8[], $7::jsonb[])
         returning seq`,
        [
          e.map((x) => x.eventId),
          e.map((x) => x.accountId),
          e.map((x) => x.event.type),
          e.map((x) => x.commandKey),
          e.map((x) => new Date(x.event.at).toISOString()),
          e.map((x) => x.balanceAfter.toString()),
          e.map((x) => JSON.stringify(encodeEvent(x.event))),
        ],
      );
      seqs = inserted.rows.map((r) => r.seq);
    }
    if (batch.commands.length > 0) {
      const k = batch.commands;
      await c.query(
        `insert into commands (account_id, key, type, body_hash, outcome)
         select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[])`,
        [k.map((x) => x.accountId), k.map((x) => x.key), k.map((x) => x.type), k.map((x) => x.bodyHash), k.map((x) => JSON.stringify(x.outcome))],
      );
    }
    return seqs;
  }
}

async function insertRejects(c: pg.Pool | pg.PoolClient, rejects: readonly RejectToRecord[]): Promise<void> {
  await c.query(
    `insert into rejects (subject, stream_seq, account_id, command_key, reason, detail, raw)
     select * from unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[])`,
    [
      rejects.map((r) => r.subject),
      rejects.map((r) => (r.streamSeq === null ? null : String(r.streamSeq))),
      rejects.map((r) => r.accountId),
      rejects.map((r) => r.commandKey),
      rejects.map((r) => r.reason),
      rejects.map((r) => r.detail),
      rejects.map((r) => Buffer.from(r.raw)),
    ],
  );
}

/** Upserts what changed: copy-on-write states make a changed grant, hold or charge a new object. */
export async function writeProjections(
  c: pg.Pool | pg.PoolClient,
  accounts: ReadonlyArray<{ readonly before: AccountState | null; readonly after: AccountState }>,
): Promise<void> {
  const changed = accounts.filter((a) => a.before === null || a.before.version !== a.after.version);
  if (changed.length === 0) return;
  const rows = changed.map((a) => accountRow(a.after));
  await c.query(
    `insert into accounts (account_id, version, balance, debt, held, free, plan, purchased, promo, adjustment,
                           allowance_free_monthly, allowance_anchor_day, last_reset_period, thresholds, updated_at)
     select *, now() from unnest($1::text[], $2::int8[], $3::int8[], $4::int8[], $5::int8[], $6::int8[], $7::int8[], $8::int8[],
                                 $9::int8[], $10::int8[], $11::int8[], $12::int4[], $13::text[], $14::jsonb[])
     on conflict (account_id) do update set version = excluded.version, balance = excluded.balance, debt = excluded.debt,
       held = excluded.held, free = excluded.free, plan = excluded.plan, purchased = excluded.purchased, promo = excluded.promo,
       adjustment = excluded.adjustment, allowance_free_monthly = excluded.allowance_free_monthly,
       allowance_anchor_day = excluded.allowance_anchor_day, last_reset_period = excluded.last_reset_period,
       thresholds = excluded.thresholds, updated_at = excluded.updated_at`,
    [
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
    ],
  );

  const grants: Array<[string, import('@credence/ledger-domain').Grant]> = [];
  const holds: Array<[string, import('@credence/ledger-domain').Hold]> = [];
  const charges: Array<[string, import('@credence/ledger-domain').Charge]> = [];
  for (const { before, after } of changed) {
    for (const [id, g] of after.grants) if (before?.grants.get(id) !== g) grants.push([after.accountId, g]);
    for (const [id, h] of after.holds) if (before?.holds.get(id) !== h) holds.push([after.accountId, h]);
    for (const [id, ch] of after.charges) if (before?.charges.get(id) !== ch) charges.push([after.accountId, ch]);
  }
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  if (grants.length > 0) {
    await c.query(
      `insert into grants (account_id, grant_id, source, amount, remaining, priority, effective_at, expires_at, expired)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::int8[], $6::int4[], $7::timestamptz[], $8::timestamptz[], $9::bool[])
       on conflict (account_id, grant_id) do update set remaining = excluded.remaining, expired = excluded.expired`,
      [
        grants.map(([a]) => a),
        grants.map(([, g]) => g.id),
        grants.map(([, g]) => g.source),
        grants.map(([, g]) => g.amount.toString()),
        grants.map(([, g]) => g.remaining.toString()),
        grants.map(([, g]) => g.priority),
        grants.map(([, g]) => iso(g.effectiveAt)),
        grants.map(([, g]) => iso(g.expiresAt)),
        grants.map(([, g]) => g.expired),
      ],
    );
  }
  if (holds.length > 0) {
    await c.query(
      `insert into holds (account_id, hold_id, amount, status, placed_at, expires_at, resource)
       select * from unnest($1::text[], $2::text[], $3::int8[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::jsonb[])
       on conflict (account_id, hold_id) do update set status = excluded.status`,
      [
        holds.map(([a]) => a),
        holds.map(([, h]) => h.id),
        holds.map(([, h]) => h.amount.toString()),
        holds.map(([, h]) => h.status),
        holds.map(([, h]) => iso(h.placedAt)),
        holds.map(([, h]) => iso(h.expiresAt)),
        holds.map(([, h]) => JSON.stringify(h.resource)),
      ],
    );
  }
  if (charges.length > 0) {
    await c.query(
      `insert into charges (account_id, charge_id, amount, debt_incurred, refunded, allocations)
       select * from unnest($1::text[], $2::text[], $3::int8[], $4::int8[], $5::int8[], $6::jsonb[])
       on conflict (account_id, charge_id) do update set refunded = excluded.refunded`,
      [
        charges.map(([a]) => a),
        charges.map(([, ch]) => ch.id),
        charges.map(([, ch]) => ch.amount.toString()),
        charges.map(([, ch]) => ch.debtIncurred.toString()),
        charges.map(([, ch]) => ch.refunded.toString()),
        charges.map(([, ch]) => JSON.stringify(ch.allocations.map((x) => ({ grantId: x.grantId, amount: x.amount.toString() })))),
      ],
    );
  }
}
