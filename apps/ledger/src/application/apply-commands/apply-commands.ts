import { createHash } from 'node:crypto';
import { InvariantViolation, type Clock } from '@credence/kernel';
import { AccountDraft, balanceAt, decideOn, systemId, type AccountState, type LedgerCommand, type LedgerEvent } from '@credence/ledger-domain';
import {
  commandKeyId,
  type CommandToRecord,
  type EventToAppend,
  type LedgerStore,
  type RejectToRecord,
  type StoredOutcome,
} from '@credence/ledger-data-access';

/** A validated command on its way to the ledger, with what is needed to recognise it if it comes again. */
export interface KeyedCommand {
  readonly accountId: string;
  readonly key: string;
  /** Hash of the caller's body: the same key with another body is a conflict, not a repeat. */
  readonly bodyHash: string;
  readonly command: LedgerCommand;
  /** System commands (housekeeping) are idempotent by state and keep no key record. */
  readonly recordKey?: boolean;
  /** For the rejects table when the command conflicts with an earlier one. */
  readonly origin?: { readonly subject: string; readonly streamSeq: number | null; readonly raw: Uint8Array };
}

export type CommandResult =
  | { readonly status: 'applied'; readonly events: readonly LedgerEvent[]; readonly reply: Record<string, unknown> | undefined }
  | { readonly status: 'refused'; readonly code: string }
  | { readonly status: 'duplicate'; readonly outcome: StoredOutcome }
  | { readonly status: 'conflict' }
  /** Could not be applied at all (Postgres refused its data, or a bug): recorded in rejects, never retried. */
  | { readonly status: 'failed'; readonly reason: string };

/**
 * An error that retrying the same commands cannot cure: Postgres refused the data itself
 * (SQLSTATE class 22, data exception, or 23, integrity violation), or our own code threw.
 * Anything else (a connection refused or cut, a timeout) is an outage: retry later.
 */
export function isPermanentFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code.startsWith('22') || code.startsWith('23');
  return error instanceof RangeError || error instanceof TypeError || error instanceof InvariantViolation;
}

const describe = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** Canonical JSON (sorted keys) so that field order never makes two equal bodies differ. */
export function hashBody(body: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
      );
    }
    return typeof v === 'bigint' ? v.toString() : v;
  };
  return createHash('sha256').update(JSON.stringify(canonical(body))).digest('base64url');
}

function holdsReferenced(c: LedgerCommand): string | undefined {
  return c.type === 'CaptureHold' || c.type === 'ReleaseHold' ? c.holdId : undefined;
}

/** What a caller needs back beyond "applied": the hold's terms, for a hold. */
function replyFor(command: LedgerCommand, state: AccountState, now: number): Record<string, unknown> | undefined {
  if (command.type !== 'PlaceHold') return undefined;
  return {
    holdId: command.holdId,
    amount: command.amount.toString(),
    expiresAt: new Date(command.expiresAt).toISOString(),
    available: balanceAt(state, now).available.toString(),
  };
}

/**
 * The one way commands reach the log: a batch is decided and written in one transaction.
 * Each command is checked against its idempotency key (in the database and earlier in the
 * batch), decided by the domain on the account's current state, and its events and key record
 * are written with the projections. Results come back in the batch's order.
 */
export class ApplyCommands {
  constructor(
    private readonly store: LedgerStore,
    private readonly clock: Clock,
  ) {}

  /**
   * `execute`, but one command that cannot be applied does not take its batch-mates down with it:
   * when the batch fails for good, its commands are applied one by one, and those that fail alone
   * come back `failed` and are recorded in rejects. An outage still throws (the caller retries).
   */
  async executeIsolating(batch: readonly KeyedCommand[], extraRejects: readonly RejectToRecord[] = []): Promise<CommandResult[]> {
    try {
      return await this.execute(batch, extraRejects);
    } catch (error) {
      if (!isPermanentFailure(error)) throw error;
    }
    const results: CommandResult[] = [];
    const rejects: RejectToRecord[] = [...extraRejects];
    for (const c of batch) {
      try {
        results.push(...(await this.execute([c])));
      } catch (error) {
        if (!isPermanentFailure(error)) throw error;
        results.push({ status: 'failed', reason: describe(error) });
        rejects.push({
          subject: c.origin?.subject ?? '(direct)',
          streamSeq: c.origin?.streamSeq ?? null,
          accountId: c.accountId,
          commandKey: c.key,
          reason: 'failed',
          detail: describe(error),
          raw: c.origin?.raw ?? new Uint8Array(),
        });
      }
    }
    await this.store.recordRejects(rejects);
    return results;
  }

  async execute(batch: readonly KeyedCommand[], extraRejects: readonly RejectToRecord[] = []): Promise<CommandResult[]> {
    if (batch.length === 0) {
      await this.store.recordRejects(extraRejects);
      return [];
    }
    return this.store.inBatch(async (tx) => {
      const now = this.clock.now();
      const loaded = await tx.lockAndLoad({
        accountIds: batch.map((c) => c.accountId),
        holdRefs: batch.flatMap((c) => {
          const h = holdsReferenced(c.command);
          return h === undefined ? [] : [[c.accountId, h] as const];
        }),
        // A refund names its charge; a late capture may find its hold already charged.
        chargeRefs: batch.flatMap((c) =>
          c.command.type === 'IssueRefund'
            ? [[c.accountId, c.command.chargeId] as const]
            : c.command.type === 'CaptureHold'
              ? [[c.accountId, c.command.holdId] as const]
              : [],
        ),
        commandKeys: batch.filter((c) => c.recordKey !== false).map((c) => [c.accountId, c.key] as const),
      });
      // One draft per account for the whole batch: maps are copied once, not once per command.
      const drafts = new Map([...loaded.states].map(([id, state]) => [id, { before: state, draft: new AccountDraft(state) }]));
      const seen = loaded.commands;
      const events: EventToAppend[] = [];
      const commands: CommandToRecord[] = [];
      const rejects: RejectToRecord[] = [...extraRejects];
      const results: CommandResult[] = [];

      for (const c of batch) {
        const id = commandKeyId(c.accountId, c.key);
        const previous = c.recordKey === false ? undefined : seen.get(id);
        if (previous) {
          if (previous.bodyHash === c.bodyHash) {
            results.push({ status: 'duplicate', outcome: previous.outcome });
          } else {
            results.push({ status: 'conflict' });
            rejects.push({
              subject: c.origin?.subject ?? '(direct)',
              streamSeq: c.origin?.streamSeq ?? null,
              accountId: c.accountId,
              commandKey: c.key,
              reason: 'idempotency_conflict',
              detail: `key ${c.key} was first used with another body`,
              raw: c.origin?.raw ?? new Uint8Array(),
            });
          }
          continue;
        }
        const draft = drafts.get(c.accountId)?.draft;
        if (!draft) throw new Error(`account ${c.accountId} was not loaded`);
        const decision = decideOn(draft, c.command, now);
        let outcome: StoredOutcome;
        if (decision.ok) {
          const { events: decided, balancesAfter } = decision.value;
          decided.forEach((event, i) => {
            events.push({ eventId: systemId(c.accountId, c.key, String(i)), accountId: c.accountId, commandKey: c.key, event, balanceAfter: balancesAfter[i] ?? 0n });
          });
          const reply = replyFor(c.command, draft, now);
          outcome = reply ? { status: 'applied', events: decided.length, reply } : { status: 'applied', events: decided.length };
          results.push({ status: 'applied', events: decided, reply });
        } else {
          outcome = { status: 'refused', code: decision.code };
          results.push({ status: 'refused', code: decision.code });
        }
        if (c.recordKey !== false) {
          commands.push({ accountId: c.accountId, key: c.key, type: c.command.type, bodyHash: c.bodyHash, outcome });
          seen.set(id, { bodyHash: c.bodyHash, outcome });
        }
      }

      await tx.write({
        events,
        commands,
        rejects,
        accounts: [...drafts.values()].map(({ before, draft }) => ({ before, after: draft.snapshot() })),
      });
      return results;
    });
  }
}
