import { describeIssues, validateJson, type LedgerCommandBase } from '@credence/contracts';
import type { Clock } from '@credence/kernel';
import type { RejectToRecord } from '@credence/ledger-data-access';
import type { ApplyCommands, KeyedCommand } from '../apply-commands/apply-commands.js';
import { keyed, WIRE_COMMANDS, type WireKind } from '../apply-commands/from-wire.js';

/** A command as it came off the stream. */
export interface RawCommand {
  readonly subject: string;
  /** The command kind the subject stands for, or undefined for a subject the ledger does not know. */
  readonly kind: WireKind | undefined;
  readonly data: Uint8Array;
  readonly streamSeq: number;
}

export type Disposition = 'applied' | 'rejected';

/**
 * Applies a batch of stream messages in one transaction. A message that does not parse or
 * validate is recorded in `rejects` with its raw bytes and reason (in the same transaction) and
 * must be terminated, never retried: it would fail the same way forever and stall the stream.
 * Refused and duplicate commands count as applied: their outcome is recorded under their key.
 */
export class ConsumeCommands {
  constructor(
    private readonly apply: ApplyCommands,
    private readonly clock: Clock,
  ) {}

  async execute(messages: readonly RawCommand[]): Promise<Disposition[]> {
    const now = this.clock.now();
    const commands: KeyedCommand[] = [];
    const commandAt: number[] = [];
    const rejects: RejectToRecord[] = [];
    const dispositions: Disposition[] = [];
    for (const m of messages) {
      const reject = (reason: string, detail: string) => {
        rejects.push({ subject: m.subject, streamSeq: m.streamSeq, accountId: null, commandKey: null, reason, detail, raw: m.data });
        dispositions.push('rejected');
      };
      if (!m.kind) {
        reject('unknown_subject', `no ledger command is published on ${m.subject}`);
        continue;
      }
      const dto: new () => LedgerCommandBase = WIRE_COMMANDS[m.kind];
      const validated = validateJson(dto, m.data);
      if (!validated.ok) {
        reject('invalid', describeIssues(validated.issues));
        continue;
      }
      commands.push(keyed(m.kind, validated.value, now, { subject: m.subject, streamSeq: m.streamSeq, raw: m.data }));
      commandAt.push(dispositions.length);
      dispositions.push('applied');
    }
    const results = await this.apply.executeIsolating(commands, rejects);
    results.forEach((r, i) => {
      if (r.status === 'failed') dispositions[commandAt[i] ?? -1] = 'rejected';
    });
    return dispositions;
  }
}
