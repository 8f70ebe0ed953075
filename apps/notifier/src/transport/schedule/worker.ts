import type { ClaimedDelivery } from '@credence/notifier-data-access';
import type { DeliverDue } from '../../application/deliver/deliver.js';
import { REMINDER_BATCH, type FireReminders } from '../../application/fire-reminders/fire-reminders.js';
import { notifierMetrics } from '../metrics.js';
import { Loop } from '@credence/platform-runtime';
import { Pauses } from './pauses.js';

export interface WorkerLog {
  error(fields: object, msg: string): void;
}

export interface WorkerOptions {
  readonly concurrency: number;
  readonly pollMs: number;
  readonly reminderPollMs: number;
  /** Pause after a failed claim, so a broken database is not hammered. */
  readonly errorMs: number;
}

/**
 * Keeps up to `concurrency` deliveries in flight: claims as many as there are free slots, starts
 * each attempt on its own (a slow receiver holds one slot, not the others), and claims again as
 * soon as a slot frees. Idle, it polls every `pollMs` (other replicas record deliveries too) or
 * wakes at once when this process records some. Reminders are fired by a second, slower loop.
 */
export class DeliveryWorker {
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  private readonly deliveryPauses = new Pauses();
  private readonly reminderLoop: Loop;
  private running: Promise<void> | undefined;

  constructor(
    private readonly deliver: DeliverDue,
    private readonly reminders: FireReminders,
    private readonly options: WorkerOptions,
    private readonly log: WorkerLog,
  ) {
    // Reminders by a second, slower loop; a full batch means there may be more right now.
    this.reminderLoop = new Loop(
      async () => {
        const fired = await this.reminders.runOnce();
        return fired >= REMINDER_BATCH ? fired : 0;
      },
      {
        name: 'reminders',
        idleMs: options.reminderPollMs,
        errorMs: Math.max(options.reminderPollMs, options.errorMs),
        onError: (_name, error) => this.log.error({ err: describe(error) }, 'firing reminders failed'),
      },
    );
  }

  start(): void {
    this.running = this.deliveries();
    this.reminderLoop.start();
  }

  /** Something is due now: skip the rest of the idle pause. */
  wake(): void {
    this.deliveryPauses.wakeAll();
  }

  /** Lets attempts in flight finish and be recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.deliveryPauses.wakeAll();
    await Promise.all([this.running, this.reminderLoop.stop()]);
    await Promise.all(this.inFlight);
  }

  private async deliveries(): Promise<void> {
    while (!this.stopped) {
      const free = this.options.concurrency - this.inFlight.size;
      let claimed: ClaimedDelivery[] = [];
      let pause = 0;
      if (free > 0) {
        try {
          claimed = await this.deliver.claim(free);
        } catch (error) {
          this.log.error({ err: describe(error) }, 'claiming deliveries failed');
          pause = this.options.errorMs;
        }
      }
      for (const d of claimed) this.track(d);
      if (this.stopped) break;
      // Full, or nothing due: wait for a slot to free, a wake-up, or the next poll.
      if (pause > 0 || claimed.length === 0 || this.inFlight.size >= this.options.concurrency) await this.deliveryPauses.pause(pause || this.options.pollMs);
    }
  }

  private track(d: ClaimedDelivery): void {
    const started = performance.now();
    const p = this.deliver
      .attempt(d)
      .then((settlement) => {
        const m = notifierMetrics();
        m.attemptMs.record(performance.now() - started, { channel: d.channel });
        if (settlement) m.settled.add(1, { channel: d.channel, status: settlement.status });
      })
      .catch((error: unknown) => this.log.error({ delivery: d.id.toString(), err: describe(error) }, 'recording an attempt failed: retried after its lease'))
      .finally(() => {
        this.inFlight.delete(p);
        this.wake();
      });
    this.inFlight.add(p);
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
