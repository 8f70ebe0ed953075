import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { notificationBody, reminderNotification, reminderStillRelevant, subscriberNotification, type Effect, type Notification, type NotificationKind } from '@credence/notifier-domain';
import type { NotifierDatabase } from './schema.js';

export type Channel = 'webhook' | 'email';
export type DeliveryStatus = NotifierDatabase['deliveries']['status'];

export interface WebhookEndpoint {
  readonly id: string;
  readonly accountId: string;
  readonly url: string;
  readonly kinds: readonly NotificationKind[];
  readonly description: string;
  readonly createdAt: Date;
}

export interface EmailRecipient {
  readonly id: string;
  readonly accountId: string;
  readonly address: string;
  readonly kinds: readonly NotificationKind[];
  readonly createdAt: Date;
}

export interface RejectToRecord {
  readonly stream: string;
  readonly subject: string;
  readonly streamSeq: number | null;
  readonly reason: string;
  readonly raw: Uint8Array;
}

/** `now` stamps what is recorded; deliveries created now are given up at `giveUpAt`. */
export interface RecordTimes {
  readonly now: Date;
  readonly giveUpAt: Date;
}

/** What a call recorded that was not there before. */
export interface Recorded {
  readonly notifications: number;
  readonly deliveries: number;
}

/** What every delivery says of itself: which notification, to whom, by which channel. */
export interface DeliveryTarget {
  readonly id: bigint;
  readonly notificationId: string;
  readonly accountId: string;
  readonly kind: NotificationKind;
  readonly channel: Channel;
  /** The endpoint or recipient, and its URL or address when the notification was recorded. */
  readonly targetId: string;
  readonly target: string;
  readonly giveUpAt: Date;
}

/** A delivery taken by one worker for one attempt. */
export interface ClaimedDelivery extends DeliveryTarget {
  /** This attempt's number, 1-based: the claim counted it. */
  readonly attempt: number;
  readonly body: string;
  /** The endpoint's signing secret (webhooks only). */
  readonly secret: string | null;
}

export type Settlement =
  | { readonly status: 'delivered'; readonly at: Date }
  | { readonly status: 'pending'; readonly nextAttemptAt: Date; readonly error: string }
  | { readonly status: 'dead'; readonly at: Date; readonly error: string };

/** One line of the append-only attempt log. */
export interface DeliveryAttempt {
  readonly attempt: number;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly outcome: 'delivered' | 'failed';
  readonly statusCode: number | null;
  readonly error: string | null;
}

export interface AttemptToRecord extends DeliveryAttempt {
  readonly deliveryId: bigint;
  readonly settlement: Settlement;
}

export interface Delivery extends DeliveryTarget {
  readonly status: DeliveryStatus;
  readonly createdAt: Date;
  readonly nextAttemptAt: Date | null;
  readonly deliveredAt: Date | null;
  readonly deadAt: Date | null;
  readonly lastError: string | null;
  readonly attempts: readonly DeliveryAttempt[];
}

export interface DeliveriesQuery {
  readonly accountId: string;
  readonly status?: DeliveryStatus;
  readonly kind?: NotificationKind;
  readonly notificationId?: string;
  /** Only deliveries with a smaller id (the previous page's last). */
  readonly before?: bigint;
  readonly limit: number;
}

type Db = Kysely<NotifierDatabase> | Transaction<NotifierDatabase>;
type DeliveryRow = Selectable<NotifierDatabase['deliveries']>;

/** Rows per multi-row insert: bounded statements, whatever a price change's fan-out. */
const CHUNK = 500;

const chunks = <T>(items: readonly T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

const toDelivery = (r: DeliveryRow, attempts: readonly DeliveryAttempt[]): Delivery => ({
  id: BigInt(r.id),
  notificationId: r.notification_id,
  accountId: r.account_id,
  kind: r.kind as NotificationKind,
  channel: r.channel,
  targetId: r.target_id,
  target: r.target,
  status: r.status,
  createdAt: r.created_at,
  nextAttemptAt: r.next_attempt_at,
  giveUpAt: r.give_up_at,
  deliveredAt: r.delivered_at,
  deadAt: r.dead_at,
  lastError: r.last_error,
  attempts,
});

/** Every statement of the notifier schema. */
export class NotifierStore {
  constructor(readonly db: Kysely<NotifierDatabase>) {}

  // --- endpoints and recipients ---------------------------------------------------------------

  async insertWebhook(w: WebhookEndpoint & { readonly secret: string }): Promise<void> {
    await this.db
      .insertInto('webhook_endpoints')
      .values({ id: w.id, account_id: w.accountId, url: w.url, kinds: [...w.kinds], secret: w.secret, description: w.description, created_at: w.createdAt })
      .execute();
  }

  async webhooks(accountId: string): Promise<WebhookEndpoint[]> {
    const rows = await this.db.selectFrom('webhook_endpoints').selectAll().where('account_id', '=', accountId).where('deleted_at', 'is', null).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, accountId: r.account_id, url: r.url, kinds: r.kinds as NotificationKind[], description: r.description, createdAt: r.created_at }));
  }

  /** The account an endpoint belongs to, deleted or not (for scope checks). */
  async webhookAccount(id: string): Promise<{ accountId: string; deleted: boolean } | undefined> {
    const r = await this.db.selectFrom('webhook_endpoints').select(['account_id', 'deleted_at']).where('id', '=', id).executeTakeFirst();
    return r && { accountId: r.account_id, deleted: r.deleted_at !== null };
  }

  /** Deletes the endpoint (its secret is wiped) and cancels what was still to be sent to it; undefined when there was none live. */
  deleteWebhook(id: string, at: Date): Promise<WebhookEndpoint | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('webhook_endpoints')
        .set({ deleted_at: at, secret: '' })
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (!r) return undefined;
      await this.cancelPendingTo(trx, id, at);
      return { id: r.id, accountId: r.account_id, url: r.url, kinds: r.kinds as NotificationKind[], description: r.description, createdAt: r.created_at };
    });
  }

  async insertEmail(e: EmailRecipient): Promise<void> {
    await this.db.insertInto('email_recipients').values({ id: e.id, account_id: e.accountId, address: e.address, kinds: [...e.kinds], created_at: e.createdAt }).execute();
  }

  async emails(accountId: string): Promise<EmailRecipient[]> {
    const rows = await this.db.selectFrom('email_recipients').selectAll().where('account_id', '=', accountId).where('deleted_at', 'is', null).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, accountId: r.account_id, address: r.address, kinds: r.kinds as NotificationKind[], createdAt: r.created_at }));
  }

  async emailAccount(id: string): Promise<{ accountId: string; deleted: boolean } | undefined> {
    const r = await this.db.selectFrom('email_recipients').select(['account_id', 'deleted_at']).where('id', '=', id).executeTakeFirst();
    return r && { accountId: r.account_id, deleted: r.deleted_at !== null };
  }

  deleteEmail(id: string, at: Date): Promise<EmailRecipient | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('email_recipients').set({ deleted_at: at }).where('id', '=', id).where('deleted_at', 'is', null).returningAll().executeTakeFirst();
      if (!r) return undefined;
      await this.cancelPendingTo(trx, id, at);
      return { id: r.id, accountId: r.account_id, address: r.address, kinds: r.kinds as NotificationKind[], createdAt: r.created_at };
    });
  }

  /** Live endpoints plus live recipients of an account. */
  async liveTargets(accountId: string): Promise<number> {
    const r = await sql<{ n: bigint }>`
      select (select count(*) from webhook_endpoints where account_id = ${accountId} and deleted_at is null)
           + (select count(*) from email_recipients where account_id = ${accountId} and deleted_at is null) as n`.execute(this.db);
    return Number(r.rows[0]?.n ?? 0n);
  }

  private async cancelPendingTo(trx: Transaction<NotifierDatabase>, targetId: string, at: Date): Promise<void> {
    await trx
      .updateTable('deliveries')
      .set({ status: 'cancelled', next_attempt_at: null, updated_at: at, last_error: 'the endpoint or recipient was deleted' })
      .where('target_id', '=', targetId)
      .where('status', '=', 'pending')
      .execute();
  }

  // --- recording what events cause ------------------------------------------------------------

  /**
   * Applies one batch of effects and records rejects in one transaction: every notification not
   * recorded before (by cause) with one delivery per live endpoint and recipient asking for its
   * kind; reminders scheduled or cancelled; subscriptions kept. A repeated cause inserts nothing.
   */
  apply(effects: readonly Effect[], rejects: readonly RejectToRecord[], times: RecordTimes): Promise<Recorded> {
    return this.db.transaction().execute(async (trx) => {
      const notifications: Notification[] = [];
      for (const e of effects) {
        switch (e.type) {
          case 'notify':
            notifications.push(e.notification);
            break;
          case 'notify_subscribers': {
            const subscribers = await trx.selectFrom('subscriptions').select('account_id').where('catalog_id', '=', e.catalogId).orderBy('account_id').execute();
            for (const s of subscribers) notifications.push(subscriberNotification(e, s.account_id));
            break;
          }
          case 'schedule_reminder': {
            const r = e.reminder;
            await trx
              .insertInto('reminders')
              .values({
                account_id: r.accountId,
                grant_id: r.grantId,
                source: r.source,
                amount: r.amount,
                expires_at: new Date(r.expiresAt),
                notify_at: new Date(r.notifyAt),
                status: 'scheduled',
              })
              .onConflict((oc) => oc.columns(['account_id', 'grant_id']).doNothing())
              .execute();
            break;
          }
          case 'cancel_reminder':
            await trx.updateTable('reminders').set({ status: 'cancelled' }).where('account_id', '=', e.accountId).where('grant_id', '=', e.grantId).where('status', '=', 'scheduled').execute();
            break;
          case 'set_subscription':
            // Events of one account may be redelivered out of order: the latest setting wins.
            await trx
              .insertInto('subscriptions')
              .values({ account_id: e.accountId, catalog_id: e.catalogId, plan_id: e.planId, set_at: new Date(e.at) })
              .onConflict((oc) =>
                oc
                  .column('account_id')
                  .doUpdateSet({ catalog_id: e.catalogId, plan_id: e.planId, set_at: new Date(e.at) })
                  .where('subscriptions.set_at', '<=', new Date(e.at)),
              )
              .execute();
            break;
        }
      }
      for (const r of rejects) {
        await trx
          .insertInto('rejects')
          .values({ stream: r.stream, subject: r.subject, stream_seq: r.streamSeq, reason: r.reason, raw: r.raw, created_at: times.now })
          .execute();
      }
      return this.recordNotifications(trx, notifications, times);
    });
  }

  private async recordNotifications(trx: Transaction<NotifierDatabase>, notifications: readonly Notification[], times: RecordTimes): Promise<Recorded> {
    const unique = [...new Map(notifications.map((n) => [n.causeId, n])).values()];
    let recorded = 0;
    let deliveries = 0;
    for (const part of chunks(unique, CHUNK)) {
      const inserted = await sql<{ id: string }>`
        insert into notifications (id, cause_id, account_id, kind, occurred_at, body, created_at)
        select u.id, u.cause_id, u.account_id, u.kind, u.occurred_at, u.body, ${times.now}
        from unnest(
          ${part.map((n) => n.id)}::text[], ${part.map((n) => n.causeId)}::text[], ${part.map((n) => n.accountId)}::text[],
          ${part.map((n) => n.kind)}::text[], ${part.map((n) => new Date(n.occurredAt).toISOString())}::timestamptz[], ${part.map(notificationBody)}::text[]
        ) as u(id, cause_id, account_id, kind, occurred_at, body)
        on conflict do nothing
        returning id`.execute(trx);
      const ids = inserted.rows.map((r) => r.id);
      recorded += ids.length;
      if (ids.length > 0) deliveries += await this.fanOut(trx, ids, times);
    }
    return { notifications: recorded, deliveries };
  }

  /** One delivery per live endpoint and recipient of the notification's account that asked for its kind, as they are now. */
  private async fanOut(trx: Transaction<NotifierDatabase>, notificationIds: readonly string[], times: RecordTimes): Promise<number> {
    const r = await sql<{ id: bigint }>`
      insert into deliveries (notification_id, account_id, kind, channel, target_id, target, status, next_attempt_at, give_up_at, created_at, updated_at)
      select n.id, n.account_id, n.kind, 'webhook', w.id, w.url, 'pending', ${times.now}::timestamptz, ${times.giveUpAt}::timestamptz, ${times.now}::timestamptz, ${times.now}::timestamptz
        from notifications n
        join webhook_endpoints w on w.account_id = n.account_id and w.deleted_at is null and n.kind = any (w.kinds)
       where n.id = any (${[...notificationIds]}::text[])
      union all
      select n.id, n.account_id, n.kind, 'email', e.id, e.address, 'pending', ${times.now}::timestamptz, ${times.giveUpAt}::timestamptz, ${times.now}::timestamptz, ${times.now}::timestamptz
        from notifications n
        join email_recipients e on e.account_id = n.account_id and e.deleted_at is null and n.kind = any (e.kinds)
       where n.id = any (${[...notificationIds]}::text[])
      on conflict do nothing
      returning id`.execute(trx);
    return r.rows.length;
  }

  /**
   * Turns due reminders into `credits_expiring` notifications (or cancels those whose grant has
   * expired meanwhile). `skip locked`: replicas share the work without waiting on each other.
   */
  fireDueReminders(limit: number, times: RecordTimes): Promise<Recorded & { readonly cancelled: number }> {
    return this.db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom('reminders')
        .selectAll()
        .where('status', '=', 'scheduled')
        .where('notify_at', '<=', times.now)
        .orderBy('notify_at')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
      const reminders = due.map((r) => ({
        accountId: r.account_id,
        grantId: r.grant_id,
        source: r.source,
        amount: String(r.amount),
        expiresAt: r.expires_at.getTime(),
        notifyAt: r.notify_at.getTime(),
      }));
      const live = reminders.filter((r) => reminderStillRelevant(r, times.now.getTime()));
      for (const r of reminders) {
        await trx
          .updateTable('reminders')
          .set({ status: live.includes(r) ? 'fired' : 'cancelled' })
          .where('account_id', '=', r.accountId)
          .where('grant_id', '=', r.grantId)
          .execute();
      }
      const recorded = await this.recordNotifications(trx, live.map(reminderNotification), times);
      return { ...recorded, cancelled: reminders.length - live.length };
    });
  }

  // --- delivering -----------------------------------------------------------------------------

  /**
   * Dead-letters pending deliveries past their give-up time that nobody is attempting (never tried
   * because their channel is off, or a worker died holding them): they are stale news now.
   */
  async expireOverdue(now: Date): Promise<number> {
    const r = await this.db
      .updateTable('deliveries')
      .set({ status: 'dead', dead_at: now, next_attempt_at: null, updated_at: now, last_error: sql<string>`coalesce(last_error, 'not delivered before its give-up time')` })
      .where('status', '=', 'pending')
      .where('give_up_at', '<', now)
      .where('next_attempt_at', '<=', now)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /**
   * Takes up to `limit` due deliveries of the given channels for one attempt each: counts the
   * attempt and moves `next_attempt_at` to `leaseUntil`, so that another worker (or replica) takes
   * it again only if this one dies before recording the outcome. `skip locked` keeps concurrent
   * claimers apart without waiting; no transaction stays open while sending.
   */
  async claimDue(input: { readonly now: Date; readonly leaseUntil: Date; readonly limit: number; readonly channels: readonly Channel[] }): Promise<ClaimedDelivery[]> {
    if (input.limit < 1 || input.channels.length === 0) return [];
    const r = await sql<{
      id: bigint;
      notification_id: string;
      account_id: string;
      kind: string;
      channel: Channel;
      target_id: string;
      target: string;
      attempts: number;
      give_up_at: Date;
      body: string;
      secret: string | null;
    }>`
      with due as (
        select id from deliveries
         where status = 'pending' and next_attempt_at <= ${input.now} and give_up_at >= ${input.now} and channel = any (${[...input.channels]}::text[])
         order by next_attempt_at
         limit ${input.limit}
         for update skip locked
      ), claimed as (
        update deliveries d
           set attempts = d.attempts + 1, next_attempt_at = ${input.leaseUntil}, updated_at = ${input.now}
          from due
         where d.id = due.id
        returning d.*
      )
      select c.id, c.notification_id, c.account_id, c.kind, c.channel, c.target_id, c.target, c.attempts, c.give_up_at, n.body, w.secret
        from claimed c
        join notifications n on n.id = c.notification_id
        left join webhook_endpoints w on c.channel = 'webhook' and w.id = c.target_id
       order by c.id`.execute(this.db);
    return r.rows.map((x) => ({
      id: BigInt(x.id),
      notificationId: x.notification_id,
      accountId: x.account_id,
      kind: x.kind as NotificationKind,
      channel: x.channel,
      targetId: x.target_id,
      target: x.target,
      attempt: x.attempts,
      giveUpAt: x.give_up_at,
      body: x.body,
      secret: x.secret,
    }));
  }

  /**
   * Appends the attempt to the log and settles the delivery, in one transaction. The delivery is
   * settled only if this attempt is still its latest claim (a worker whose lease ran out must not
   * overwrite a newer attempt's outcome); the attempt is logged either way. Returns whether it settled.
   */
  recordAttempt(a: AttemptToRecord): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('delivery_attempts')
        .values({
          delivery_id: a.deliveryId,
          attempt: a.attempt,
          started_at: a.startedAt,
          duration_ms: a.durationMs,
          outcome: a.outcome,
          status_code: a.statusCode,
          error: a.error,
        })
        .onConflict((oc) => oc.columns(['delivery_id', 'attempt']).doNothing())
        .execute();
      const s = a.settlement;
      const set =
        s.status === 'delivered'
          ? { status: 'delivered' as const, delivered_at: s.at, next_attempt_at: null, last_error: null, updated_at: s.at }
          : s.status === 'dead'
            ? { status: 'dead' as const, dead_at: s.at, next_attempt_at: null, last_error: s.error, updated_at: s.at }
            : { status: 'pending' as const, next_attempt_at: s.nextAttemptAt, last_error: s.error, updated_at: a.startedAt };
      const r = await trx.updateTable('deliveries').set(set).where('id', '=', a.deliveryId).where('attempts', '=', a.attempt).where('status', '=', 'pending').executeTakeFirst();
      return r.numUpdatedRows > 0n;
    });
  }

  /**
   * A claimed delivery found past its give-up time when its attempt was about to start: dead, with
   * no attempt logged (none was made) and the claim's attempt count given back. False when the
   * claim is no longer this worker's.
   */
  async expireClaimed(deliveryId: bigint, attempt: number, now: Date): Promise<boolean> {
    const r = await this.db
      .updateTable('deliveries')
      .set({
        status: 'dead',
        dead_at: now,
        next_attempt_at: null,
        updated_at: now,
        attempts: attempt - 1,
        // Said like every give-up: the last attempt's error, and why there is no other.
        last_error: sql<string>`coalesce(last_error || ' (gave up: not attempted before the give-up time)', 'not delivered before its give-up time')`,
      })
      .where('id', '=', deliveryId)
      .where('attempts', '=', attempt)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  // --- the delivery log -----------------------------------------------------------------------

  async deliveries(q: DeliveriesQuery): Promise<Delivery[]> {
    let query = this.db.selectFrom('deliveries').selectAll().where('account_id', '=', q.accountId);
    if (q.status !== undefined) query = query.where('status', '=', q.status);
    if (q.kind !== undefined) query = query.where('kind', '=', q.kind);
    if (q.notificationId !== undefined) query = query.where('notification_id', '=', q.notificationId);
    if (q.before !== undefined) query = query.where('id', '<', q.before);
    const rows = await query.orderBy('id', 'desc').limit(q.limit).execute();
    return this.withAttempts(this.db, rows);
  }

  async delivery(id: bigint): Promise<Delivery | undefined> {
    const rows = await this.db.selectFrom('deliveries').selectAll().where('id', '=', id).execute();
    return (await this.withAttempts(this.db, rows))[0];
  }

  /** A dead delivery is pending again, due now, with a fresh give-up time; attempts keep counting. Undefined unless it was dead. */
  async retryDead(id: bigint, times: RecordTimes): Promise<Delivery | undefined> {
    const rows = await this.db
      .updateTable('deliveries')
      .set({ status: 'pending', next_attempt_at: times.now, give_up_at: times.giveUpAt, dead_at: null, updated_at: times.now })
      .where('id', '=', id)
      .where('status', '=', 'dead')
      .returningAll()
      .execute();
    return (await this.withAttempts(this.db, rows))[0];
  }

  private async withAttempts(db: Db, rows: readonly DeliveryRow[]): Promise<Delivery[]> {
    if (rows.length === 0) return [];
    const attempts = await db
      .selectFrom('delivery_attempts')
      .selectAll()
      .where(
        'delivery_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('delivery_id')
      .orderBy('attempt')
      .execute();
    const byDelivery = new Map<string, DeliveryAttempt[]>();
    for (const a of attempts) {
      const list = byDelivery.get(String(a.delivery_id)) ?? [];
      list.push({ attempt: a.attempt, startedAt: a.started_at, durationMs: a.duration_ms, outcome: a.outcome, statusCode: a.status_code, error: a.error });
      byDelivery.set(String(a.delivery_id), list);
    }
    return rows.map((r) => toDelivery(r, byDelivery.get(String(r.id)) ?? []));
  }
}
