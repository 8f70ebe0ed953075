import type { LedgerQueries } from '@credence/ledger-data-access';
import { toEnvelope } from '../publish-events/publish-events.js';

export type ExportFormat = 'ndjson' | 'csv';

export interface ExportRange {
  readonly from: Date;
  readonly to: Date;
  readonly accountId?: string;
  readonly format: ExportFormat;
}

export const CSV_COLUMNS = ['seq', 'id', 'accountId', 'type', 'at', 'commandKey', 'balanceAfter', 'data'] as const;

/** RFC 4180: quote every field that needs it, double the quotes inside. */
const csvField = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/**
 * Streams the log for a time range (optionally one account) in log order, as NDJSON (one
 * envelope per line, as published on the LEDGER stream) or CSV (the same fields, `data` as JSON).
 * Page by page: memory stays flat whatever the range.
 */
export async function* exportEvents(queries: LedgerQueries, range: ExportRange, pageSize = 5_000): AsyncGenerator<string> {
  if (range.format === 'csv') yield `${CSV_COLUMNS.join(',')}\n`;
  for await (const e of queries.eventsInRange({ from: range.from, to: range.to, pageSize, ...(range.accountId ? { accountId: range.accountId } : {}) })) {
    const env = toEnvelope(e);
    if (range.format === 'ndjson') {
      yield `${JSON.stringify(env)}\n`;
    } else {
      yield `${[env.seq, env.id, env.accountId, env.type, env.at, env.commandKey, env.balanceAfter, JSON.stringify(env.data)].map(csvField).join(',')}\n`;
    }
  }
}
