import type pg from 'pg';
import { AccountDraft, applyEvent, decodeEvent, emptyAccount } from '@credence/ledger-domain';
import { writeProjections } from './ledger-store.js';

export interface RebuildReport {
  readonly events: number;
  readonly accounts: number;
  /** Reading the log and folding it into states (the rebuild proper, before writing and comparing). */
  readonly readFoldMs: number;
  readonly foldMs: number;
  readonly totalMs: number;
  /** One line per row that differs between the rebuilt and the live projections. */
  readonly differences: readonly string[];
}

export interface RebuildOptions {
  /** Rows read from the log per round trip. */
  readonly pageSize?: number;
  /** Differences listed at most (the count is always exact). */
  readonly maxListed?: number;
}

/** The projection tables and the columns that must match (bookkeeping columns such as updated_at excluded). */
const PROJECTIONS: ReadonlyArray<{ table: string; key: string; columns: string }> = [
  {
    table: 'accounts',
    key: 'account_id',
    columns:
      'account_id, version, balance, debt, held, free, plan, purchased, promo, adjustment, allowance_free_monthly, allowance_anchor_day, last_reset_period, thresholds',
  },
  { table: 'grants', key: "account_id || '/' || grant_id", columns: 'account_id, grant_id, source, amount, remaining, priority, effective_at, expires_at, expired' },
  { table: 'holds', key: "account_id || '/' || hold_id", columns: 'account_id, hold_id, amount, status, placed_at, expires_at, resource' },
  { table: 'charges', key: "account_id || '/' || charge_id", columns: 'account_id, charge_id, amount, debt_incurred, refunded, allocations' },
];

/**
 * Rebuilds every projection from the log into fresh tables (a scratch schema beside the live
 * one) and compares them with the live projections, row by row. Reads the log in a repeatable-read
 * snapshot so that a running ledger does not make the two disagree mid-way.
 *
 * Holds every account's folded state in memory: fine for millions of events, not for billions
 * (then fold account by account).
 */
export async function rebuildAndVerify(pool: pg.Pool, schema: string, options: RebuildOptions = {}): Promise<RebuildReport> {
  const pageSize = options.pageSize ?? 20_000;
  const maxListed = options.maxListed ?? 100;
  const scratch = `${schema}_rebuild`;
  const started = performance.now();
  const client = await pool.connect();
  try {
    await client.query('begin isolation level repeatable read');
    await client.query(`drop schema if exists ${scratch} cascade; create schema ${scratch}`);
    // commands and rejects stay empty: they are there because projections are written by the same statement.
    for (const table of [...PROJECTIONS.map((p) => p.table), 'commands', 'rejects']) {
      await client.query(`create table ${scratch}.${table} (like ${schema}.${table} including all)`);
    }

    const states = new Map<string, AccountDraft>();
    let events = 0;
    let after = '0';
    let foldMs = 0;
    const readStarted = performance.now();
    for (;;) {
      // Ordered by the bigint column (an output column named seq would sort as text: '10' < '2').
      const page = await client.query<{ seq: string; account_id: string; data: string }>(
        `select e.seq::text as seq, e.account_id, e.data::text as data from ${schema}.events e where e.seq > $1 order by e.seq limit $2`,
        [after, pageSize],
      );
      const t = performance.now();
      for (const row of page.rows) {
        let draft = states.get(row.account_id);
        if (!draft) states.set(row.account_id, (draft = new AccountDraft(emptyAccount(row.account_id))));
        applyEvent(draft, decodeEvent(JSON.parse(row.data)));
      }
      foldMs += performance.now() - t;
      events += page.rows.length;
      const last = page.rows.at(-1);
      if (!last || page.rows.length < pageSize) break;
      after = last.seq;
    }

    const readFoldMs = performance.now() - readStarted;
    await client.query(`set local search_path = ${scratch}`);
    const all = [...states.values()].map((d) => ({ before: null, after: d.snapshot() }));
    for (let i = 0; i < all.length; i += 5_000) await writeProjections(client, all.slice(i, i + 5_000));
    await client.query(`set local search_path = ${schema}`);

    const differences: string[] = [];
    let count = 0;
    for (const p of PROJECTIONS) {
      // Accounts with no event yet (every command they got was refused) exist live as empty rows.
      const live = p.table === 'accounts' ? `(select ${p.columns} from ${schema}.accounts where version > 0)` : `${schema}.${p.table}`;
      const diff = await client.query<{ side: string; k: string; row: string }>(
        `(select 'live only' as side, ${p.key} as k, row_to_json(x)::text as row from (select ${p.columns} from ${live} l except select ${p.columns} from ${scratch}.${p.table}) x)
         union all
         (select 'rebuilt only', ${p.key}, row_to_json(y)::text from (select ${p.columns} from ${scratch}.${p.table} except select ${p.columns} from ${live} l) y)
         order by 2, 1`,
      );
      count += diff.rows.length;
      for (const d of diff.rows) if (differences.length < maxListed) differences.push(`${p.table} ${d.k} ${d.side}: ${d.row}`);
    }
    const emptyLive = await client.query<{ n: string }>(
      `select count(*)::text as n from ${schema}.accounts where version = 0 and (balance <> 0 or debt <> 0 or held <> 0 or thresholds <> '{}'::jsonb)`,
    );
    const strayEmpty = Number(emptyLive.rows[0]?.n ?? 0);
    if (strayEmpty > 0) differences.push(`accounts: ${strayEmpty} account(s) without events carry a balance`);
    if (count > differences.length) differences.push(`... ${count - maxListed} more difference(s)`);

    await client.query(`drop schema ${scratch} cascade`);
    await client.query('commit');
    return { events, accounts: states.size, readFoldMs, foldMs, totalMs: performance.now() - started, differences };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
