import type { Clock } from '@credence/kernel';
import type { DeliveriesQueryDto, DeliveryView } from '@credence/contracts';
import type { Delivery, NotifierStore } from '@credence/notifier-data-access';
import { giveUpAt, type RetryPolicy } from '@credence/notifier-domain';

const DEFAULT_PAGE = 20;

export const deliveryView = (d: Delivery): DeliveryView => ({
  id: d.id.toString(),
  notificationId: d.notificationId,
  kind: d.kind,
  accountId: d.accountId,
  channel: d.channel,
  targetId: d.targetId,
  target: d.target,
  status: d.status,
  createdAt: d.createdAt.toISOString(),
  nextAttemptAt: d.status === 'pending' ? (d.nextAttemptAt?.toISOString() ?? null) : null,
  giveUpAt: d.giveUpAt.toISOString(),
  deliveredAt: d.deliveredAt?.toISOString() ?? null,
  deadAt: d.deadAt?.toISOString() ?? null,
  lastError: d.lastError,
  attempts: d.attempts.map((a) => ({
    attempt: a.attempt,
    startedAt: a.startedAt.toISOString(),
    durationMs: a.durationMs,
    outcome: a.outcome,
    statusCode: a.statusCode,
    error: a.error,
  })),
});

export type RetryAnswer = { readonly status: 'retried'; readonly delivery: DeliveryView } | { readonly status: 'not_found' } | { readonly status: 'not_dead'; readonly delivery: DeliveryView };

/** The delivery log, newest first, with every attempt; and a second chance for dead letters. */
export class Deliveries {
  constructor(
    private readonly store: NotifierStore,
    private readonly clock: Clock,
    private readonly retryPolicy: RetryPolicy,
  ) {}

  async list(q: DeliveriesQueryDto): Promise<{ deliveries: DeliveryView[]; nextCursor: string | null }> {
    const limit = q.limit === undefined ? DEFAULT_PAGE : Number(q.limit);
    const rows = await this.store.deliveries({
      accountId: q.accountId,
      limit,
      ...(q.status === undefined ? {} : { status: q.status }),
      ...(q.kind === undefined ? {} : { kind: q.kind }),
      ...(q.notificationId === undefined ? {} : { notificationId: q.notificationId }),
      ...(q.cursor === undefined ? {} : { before: BigInt(q.cursor) }),
    });
    return { deliveries: rows.map(deliveryView), nextCursor: rows.length === limit ? (rows.at(-1)?.id.toString() ?? null) : null };
  }

  /** Undefined for an id that is not a delivery. */
  async accountOf(id: string): Promise<string | undefined> {
    return /^[1-9][0-9]{0,18}$/.test(id) ? (await this.store.delivery(BigInt(id)))?.accountId : undefined;
  }

  /** A dead letter is due again now, with a fresh give-up time; its attempts keep counting. */
  async retry(id: string): Promise<RetryAnswer> {
    if (!/^[1-9][0-9]{0,18}$/.test(id)) return { status: 'not_found' };
    const now = this.clock.now();
    const retried = await this.store.retryDead(BigInt(id), { now: new Date(now), giveUpAt: new Date(giveUpAt(now, this.retryPolicy)) });
    if (retried) return { status: 'retried', delivery: deliveryView(retried) };
    const current = await this.store.delivery(BigInt(id));
    return current ? { status: 'not_dead', delivery: deliveryView(current) } : { status: 'not_found' };
  }
}
