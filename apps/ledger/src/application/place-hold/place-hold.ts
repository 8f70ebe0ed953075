import { PlaceHoldDto, validatePlain, type PlaceHoldReply } from '@credence/contracts';
import type { Clock } from '@credence/kernel';
import type { ApplyCommands, CommandResult } from '../apply-commands/apply-commands.js';
import { keyed } from '../apply-commands/from-wire.js';

export interface PlaceHoldOptions {
  /** How long the first request of a group waits for others before the group is committed. */
  readonly groupWindowMs: number;
  /** A group is committed as soon as it has this many requests. */
  readonly maxGroupSize: number;
  /**
   * Groups committing at once. While they are busy, new requests gather into the next group,
   * so groups grow with the load instead of transactions piling up on the pool.
   */
  readonly maxGroupsInFlight: number;
}

export const PLACE_HOLD_DEFAULTS: PlaceHoldOptions = { groupWindowMs: 1, maxGroupSize: 256, maxGroupsInFlight: 2 };

interface Waiting {
  readonly dto: PlaceHoldDto;
  readonly resolve: (reply: PlaceHoldReply) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Places holds with group commit: requests arriving within a millisecond or two share one
 * transaction, so latency stays low under load (one commit instead of hundreds). A hold is
 * durable before its answer leaves: the answer is sent only after the group commits.
 */
export class PlaceHold {
  private queue: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = 0;

  constructor(
    private readonly apply: ApplyCommands,
    private readonly clock: Clock,
    private readonly options: PlaceHoldOptions = PLACE_HOLD_DEFAULTS,
  ) {}

  execute(body: unknown): Promise<PlaceHoldReply> {
    const validated = validatePlain(PlaceHoldDto, body);
    if (!validated.ok) return Promise.resolve({ status: 'invalid', issues: validated.issues.map((i) => ({ ...i })) });
    return new Promise((resolve, reject) => {
      this.queue.push({ dto: validated.value, resolve, reject });
      if (this.queue.length >= this.options.maxGroupSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.groupWindowMs);
    });
  }

  /** Resolves when every group taken so far has been committed and answered. */
  async drain(): Promise<void> {
    this.flush();
    while (this.running > 0) await new Promise((r) => setTimeout(r, 5));
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // Every slot busy: the queue keeps growing and goes as one group when a slot frees.
    if (this.queue.length === 0 || this.running >= this.options.maxGroupsInFlight) return;
    const group = this.queue.splice(0, this.options.maxGroupSize);
    this.running++;
    void this.commit(group).finally(() => {
      this.running--;
      if (this.queue.length > 0) this.flush();
    });
  }

  private async commit(group: Waiting[]): Promise<void> {
    try {
      const now = this.clock.now();
      const results = await this.apply.executeIsolating(group.map((w) => keyed('PlaceHold', w.dto, now)));
      group.forEach((w, i) => w.resolve(toReply(results[i])));
    } catch (error) {
      for (const w of group) w.reject(error);
    }
  }
}

function toReply(result: CommandResult | undefined): PlaceHoldReply {
  if (!result) throw new Error('no result for a hold request');
  switch (result.status) {
    case 'applied':
      return { status: 'approved', ...(result.reply as { holdId: string; amount: string; expiresAt: string; available: string }) };
    case 'refused':
      return { status: 'refused', reason: result.code, available: null };
    case 'duplicate':
      return result.outcome.status === 'applied'
        ? { status: 'approved', ...(result.outcome.reply as { holdId: string; amount: string; expiresAt: string; available: string }) }
        : { status: 'refused', reason: result.outcome.code, available: null };
    case 'conflict':
      return { status: 'invalid', issues: [{ field: 'key', rule: 'idempotencyConflict', message: 'this key was already used with another body' }] };
    case 'failed':
      return { status: 'refused', reason: 'COMMAND_FAILED', available: null };
  }
}

