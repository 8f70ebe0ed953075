import type { Kysely } from 'kysely';
import type pg from 'pg';
import { ManualClock } from '@credence/kernel';
import { LedgerQueries, LedgerStore, LEDGER_MIGRATIONS, type LedgerDatabase } from '@credence/ledger-data-access';
import { closeDatabase, createDatabase, poolOf, runMigrations } from '@credence/platform-database';
import { createTestSchema, type TestSchema } from '@credence/testing';
import { ApplyCommands, type KeyedCommand } from '../application/apply-commands/apply-commands.js';
import { keyed, type WireKind } from '../application/apply-commands/from-wire.js';
import { validatePlain, type LedgerCommandBase } from '@credence/contracts';
import { WIRE_COMMANDS } from '../application/apply-commands/from-wire.js';

/** A migrated ledger schema of its own, a manual clock and the use cases over them. */
export interface LedgerFixture {
  readonly schema: TestSchema;
  readonly db: Kysely<LedgerDatabase>;
  readonly pool: pg.Pool;
  readonly clock: ManualClock;
  readonly store: LedgerStore;
  readonly queries: LedgerQueries;
  readonly apply: ApplyCommands;
  /** Validates a wire body like the transport does and maps it to a keyed command. */
  command(kind: WireKind, body: Record<string, unknown>): KeyedCommand;
  close(): Promise<void>;
}

export async function createLedgerFixture(prefix: string, start = Date.UTC(2026, 10, 15, 12)): Promise<LedgerFixture> {
  const schema = await createTestSchema(prefix);
  const db = createDatabase<LedgerDatabase>({ connectionString: schema.connectionString, schema: schema.schema, poolMax: 8 });
  await runMigrations(db, { schema: schema.schema, migrations: LEDGER_MIGRATIONS });
  const pool = poolOf(db);
  const clock = new ManualClock(start);
  const store = new LedgerStore(pool);
  const queries = new LedgerQueries(db);
  const apply = new ApplyCommands(store, clock);
  return {
    schema,
    db,
    pool,
    clock,
    store,
    queries,
    apply,
    command(kind, body) {
      const dto: new () => LedgerCommandBase = WIRE_COMMANDS[kind];
      const v = validatePlain(dto, body);
      if (!v.ok) throw new Error(`invalid ${kind}: ${JSON.stringify(v.issues)}`);
      return keyed(kind, v.value, clock.now());
    },
    async close() {
      await closeDatabase(db);
      await schema.drop();
    },
  };
}
