import type { Clock } from '@credence/kernel';
import type { NotifierStore, Recorded } from '@credence/notifier-data-access';
import { giveUpAt, type RetryPolicy } from '@credence/notifier-domain';

export const REMINDER_BATCH = 500;

/** Due `credits_expiring` reminders become notifications; one pass handles up to REMINDER_BATCH and says how many. */
export class FireReminders {
  constructor(
    private readonly store: NotifierStore,
    private readonly clock: Clock,
    private readonly retry: RetryPolicy,
    private readonly onDeliveries: (recorded: Recorded) => void = () => undefined,
  ) {}

  async runOnce(): Promise<number> {
    const now = this.clock.now();
    const r = await this.store.fireDueReminders(REMINDER_BATCH, { now: new Date(now), giveUpAt: new Date(giveUpAt(now, this.retry)) });
    if (r.deliveries > 0) this.onDeliveries(r);
    return r.notifications + r.cancelled;
  }
}
