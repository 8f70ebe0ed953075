import type { Clock } from '@credence/kernel';
import type { Channel, ClaimedDelivery, NotifierStore, Settlement } from '@credence/notifier-data-access';
import { nextStep, type RetryPolicy } from '@credence/notifier-domain';

/** What one attempt on one channel came to. A sender never throws: every failure is a result. */
export interface SendResult {
  readonly ok: boolean;
  /** HTTP status or SMTP reply code; null without an answer. */
  readonly statusCode: number | null;
  readonly error: string | null;
  /** Retrying cannot help (an SMTP 5xx rejection). */
  readonly permanent: boolean;
}

export interface ChannelSender {
  send(delivery: ClaimedDelivery): Promise<SendResult>;
}

export interface DeliverOptions {
  readonly retry: RetryPolicy;
  /** How long a claim is held: longer than one send can take, so that only a dead worker loses it. */
  readonly leaseMs: number;
}

/**
 * Attempts due deliveries: claim (skip locked, with a lease), send on the channel, append the
 * attempt to the log and settle: delivered, retried after a jittered back-off, or dead-lettered
 * once the next try would come after the give-up time.
 */
export class DeliverDue {
  constructor(
    private readonly store: NotifierStore,
    private readonly senders: Readonly<Partial<Record<Channel, ChannelSender>>>,
    private readonly clock: Clock,
    private readonly options: DeliverOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** Channels with a sender; the others' deliveries wait (and expire). */
  get channels(): Channel[] {
    return (['webhook', 'email'] as const).filter((c) => this.senders[c] !== undefined);
  }

  /** Dead-letters what is overdue, then takes up to `limit` due deliveries for one attempt each. */
  async claim(limit: number): Promise<ClaimedDelivery[]> {
    const now = this.clock.now();
    await this.store.expireOverdue(new Date(now));
    return this.store.claimDue({ now: new Date(now), leaseUntil: new Date(now + this.options.leaseMs), limit, channels: this.channels });
  }

  /** One attempt of a claimed delivery; resolves with how it was settled (undefined: not ours to settle any more). */
  async attempt(d: ClaimedDelivery): Promise<Settlement | undefined> {
    const sender = this.senders[d.channel];
    // Deleting an endpoint wipes its secret and cancels its deliveries in one transaction: nothing to send.
    if (sender === undefined || (d.channel === 'webhook' && !d.secret)) return undefined;
    const startedAt = this.clock.now();
    // Claimed in time, but the clock moved past the give-up time before the send: no attempt starts then.
    if (startedAt > d.giveUpAt.getTime()) {
      const at = new Date(startedAt);
      return (await this.store.expireClaimed(d.id, d.attempt, at)) ? { status: 'dead', at, error: 'gave up: not attempted before the give-up time' } : undefined;
    }
    const started = performance.now();
    let result: SendResult;
    try {
      result = await sender.send(d);
    } catch (e) {
      result = { ok: false, statusCode: null, error: `sender failed: ${(e as Error).message}`, permanent: false };
    }
    const durationMs = Math.max(0, Math.round(performance.now() - started));
    const now = this.clock.now();
    const step = nextStep(
      { attempt: d.attempt, nowMs: now, giveUpAtMs: d.giveUpAt.getTime(), result: result.ok ? { kind: 'delivered' } : { kind: 'failed', permanent: result.permanent } },
      this.options.retry,
      this.random,
    );
    const error = result.error ?? 'failed';
    const settlement: Settlement =
      step.kind === 'delivered'
        ? { status: 'delivered', at: new Date(now) }
        : step.kind === 'retry'
          ? { status: 'pending', nextAttemptAt: new Date(step.atMs), error }
          : { status: 'dead', at: new Date(now), error: step.reason === 'permanent' ? `${error} (permanent: not retried)` : `${error} (gave up: no retry before the give-up time)` };
    const settled = await this.store.recordAttempt({
      deliveryId: d.id,
      attempt: d.attempt,
      startedAt: new Date(startedAt),
      durationMs,
      outcome: result.ok ? 'delivered' : 'failed',
      statusCode: result.statusCode,
      error: result.ok ? null : error,
      settlement,
    });
    return settled ? settlement : undefined;
  }
}
