import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { LedgerQueries, rebuildAndVerify, type LedgerDatabase } from '@credence/ledger-data-access';
import { closeDatabase, createDatabase, poolOf } from '@credence/platform-database';
import { exportEvents, type ExportFormat } from './application/export-events/export-events.js';
import { loadLedgerConfig } from './config/ledger-config.js';

const USAGE = `usage: npm run ledger -- <command>
  rebuild --verify                      rebuild every projection from the log into fresh tables,
                                        compare with the live ones, print each difference;
                                        exits 1 on any difference
  export --from <iso> --to <iso> [--account <id>] [--format ndjson|csv] [--out <file>]
                                        write the events of a time range (default: stdout, ndjson)
environment: DATABASE_URL, LEDGER_SCHEMA (see docs/operations.md)`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

const [command, ...rest] = process.argv.slice(2);
const config = loadLedgerConfig();
const db = createDatabase<LedgerDatabase>({
  connectionString: config.DATABASE_URL,
  schema: config.LEDGER_SCHEMA,
  poolMax: 2,
  // A rebuild reads the whole log in one snapshot: no per-statement cap here.
  statementTimeoutMs: 0,
  applicationName: 'credence-ledger-cli',
});

try {
  if (command === 'rebuild') {
    const { values } = parseArgs({ args: rest, options: { verify: { type: 'boolean' } }, strict: true });
    if (!values.verify) fail('rebuild needs --verify: it compares, it never overwrites live projections');
    const report = await rebuildAndVerify(poolOf(db), config.LEDGER_SCHEMA);
    const rate = (ms: number) => (ms > 0 ? Math.round((report.events / ms) * 1000) : report.events);
    process.stdout.write(
      `rebuilt ${report.events} events over ${report.accounts} accounts in ${Math.round(report.totalMs)} ms ` +
        `(read and fold ${rate(report.readFoldMs)} events/s; fold alone ${rate(report.foldMs)} events/s)\n`,
    );
    for (const d of report.differences) process.stdout.write(`DIFF ${d}\n`);
    process.stdout.write(report.differences.length === 0 ? 'OK: the projections equal the log\n' : `FAILED: ${report.differences.length} difference line(s)\n`);
    process.exitCode = report.differences.length === 0 ? 0 : 1;
  } else if (command === 'export') {
    const { values } = parseArgs({
      args: rest,
      options: { from: { type: 'string' }, to: { type: 'string' }, account: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } },
      strict: true,
    });
    const from = Date.parse(values.from ?? '');
    const to = Date.parse(values.to ?? '');
    if (Number.isNaN(from)) fail('--from must be an ISO-8601 time, e.g. 2026-11-01T00:00:00Z');
    if (Number.isNaN(to)) fail('--to must be an ISO-8601 time, e.g. 2026-12-01T00:00:00Z');
    if (to <= from) fail('--to must be after --from');
    const format = (values.format ?? 'ndjson') as ExportFormat;
    if (format !== 'ndjson' && format !== 'csv') fail('--format must be ndjson or csv');
    const out = values.out ? createWriteStream(values.out) : process.stdout;
    let lines = 0;
    for await (const line of exportEvents(new LedgerQueries(db), {
      from: new Date(from),
      to: new Date(to),
      format,
      ...(values.account ? { accountId: values.account } : {}),
    })) {
      lines++;
      if (!out.write(line)) await once(out, 'drain');
    }
    if (values.out) {
      out.end();
      await once(out, 'finish');
      process.stderr.write(`wrote ${format === 'csv' ? lines - 1 : lines} events to ${values.out}\n`);
    }
  } else {
    fail(command ? `unknown command: ${command}` : 'no command given');
  }
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await closeDatabase(db);
}
