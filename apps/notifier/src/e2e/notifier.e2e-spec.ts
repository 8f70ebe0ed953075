import {
  CATALOG_PRICE_CHANGE_SUBJECT,
  METERING_EVENT_SUBJECTS,
  RECHARGE_EVENT_SUBJECTS,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  type DeliveryView,
  type NotificationEnvelope,
  type RechargeEvent,
} from '@credence/contracts';
import { verifySignature } from '@credence/notifier-domain';
import { waitFor } from '@credence/testing';
import { NotifierDeployment } from '../testing/notifier-process.js';
import { SmtpSink, WebhookReceiver } from '../testing/receivers.js';

let n: NotifierDeployment;
let receiver: WebhookReceiver;
let smtp: SmtpSink;

/** Long enough for a few retries at 50-200 ms, short enough to watch a delivery die. */
const MAX_AGE_MS = 3_000;

const now = () => new Date().toISOString();
let seq = 0;
const purchase = (accountId: string, type: keyof typeof RECHARGE_EVENT_SUBJECTS, extra: Partial<RechargeEvent> = {}): RechargeEvent => {
  const purchaseId = `p${++seq}`;
  return {
    id: `${purchaseId}#${type}#1`,
    type,
    accountId,
    at: now(),
    purchaseId,
    trigger: 'auto',
    packId: 'pack-1m',
    credits: '1000000',
    amountMinor: '2900',
    currency: 'EUR',
    attempt: 1,
    cause: null,
    reason: null,
    ...extra,
  };
};
const publishRecharge = (e: RechargeEvent, msgId?: string) => n.publish(RECHARGE_EVENT_SUBJECTS[e.type], e, msgId);

async function webhook(accountId: string, url: string, kinds: string[]): Promise<{ id: string; secret: string }> {
  const r = await n.call<{ id: string; secret: string }>('POST', '/api/notifications/webhooks', { accountId, url, kinds });
  expect(r.status).toBe(201);
  return r.body;
}

const deliveries = async (accountId: string, query = ''): Promise<DeliveryView[]> =>
  (await n.call<{ deliveries: DeliveryView[] }>('GET', `/api/notifications/deliveries?accountId=${encodeURIComponent(accountId)}${query}`)).body.deliveries;

const settled = (accountId: string, count: number, status = 'delivered') =>
  waitFor(
    async () => {
      const ds = await deliveries(accountId);
      return ds.filter((d) => d.status === status).length >= count ? ds : undefined;
    },
    { what: `${count} ${status} deliveries of ${accountId}`, timeoutMs: 15_000 },
  );

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  [receiver, smtp] = await Promise.all([WebhookReceiver.start(), SmtpSink.start()]);
  n = await NotifierDeployment.create('notifier');
  // Started before any producer's stream exists: it must wait for them, not fail.
  await n.start({ SMTP_URL: smtp.url, MAIL_FROM: 'Credence <notify@credence.test>', DELIVERY_MAX_AGE_MS: String(MAX_AGE_MS) });
  await n.process.waitForLine(/waiting for .*RECHARGE: stream does not exist yet/, 10_000);
  await n.createProducerStreams();
  for (const s of ['RECHARGE', 'METERING', 'CATALOG']) await n.process.waitForLine(new RegExp(`"stream":"[A-Z0-9]+_${s}".*"msg":"consuming"`), 10_000);
}, 60_000);

afterAll(async () => {
  await n?.close();
  await receiver?.close();
  await smtp?.close();
});

describe('notifier: endpoints, recipients and keys', () => {
  it('given bad bodies, then 400 names the field and rule; a key must cover the account', async () => {
    const bad = await n.call<{ issues: { field: string; rule: string }[] }>('POST', '/api/notifications/webhooks', { accountId: 'a', url: 'ftp://x.example/h', kinds: ['balance_low', 'bogus'] });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i) => `${i.field}:${i.rule}`)).toEqual(expect.arrayContaining(['url:isUrl', 'kinds:isIn']));
    const badMail = await n.call<{ issues: { field: string }[] }>('POST', '/api/notifications/emails', { accountId: 'a', address: 'nope', kinds: [] });
    expect(badMail.body.issues.map((i) => i.field).sort()).toEqual(['address', 'kinds']);

    const keyA = await n.createKey({ kind: 'accounts', accountIds: ['acct-a'] });
    expect((await n.callAs(undefined, 'GET', '/api/notifications/webhooks?accountId=acct-a')).status).toBe(401);
    expect((await n.callAs(keyA, 'GET', '/api/notifications/webhooks?accountId=acct-b')).status).toBe(403);
    expect((await n.callAs(keyA, 'POST', '/api/notifications/webhooks', { accountId: 'acct-b', url: 'https://b.example/', kinds: ['balance_low'] })).status).toBe(403);

    const mine = await n.callAs<{ id: string; secret: string }>(keyA, 'POST', '/api/notifications/webhooks', { accountId: 'acct-a', url: 'https://a.example/hook', kinds: ['balance_low'] });
    expect(mine.status).toBe(201);
    expect(mine.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const listed = await n.callAs<{ webhooks: Record<string, unknown>[] }>(keyA, 'GET', '/api/notifications/webhooks?accountId=acct-a');
    expect(listed.body.webhooks).toEqual([expect.objectContaining({ id: mine.body.id, url: 'https://a.example/hook', kinds: ['balance_low'] })]);
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');

    // another account's endpoint answers like a missing one
    const other = await webhook('acct-b', 'https://b.example/hook', ['balance_low']);
    expect((await n.callAs(keyA, 'DELETE', `/api/notifications/webhooks/${other.id}`)).status).toBe(404);
    expect((await n.callAs(keyA, 'DELETE', `/api/notifications/webhooks/${mine.body.id}`)).status).toBe(200);
    expect((await n.callAs(keyA, 'DELETE', `/api/notifications/webhooks/${mine.body.id}`)).status).toBe(404);
    expect((await n.callAs<{ webhooks: unknown[] }>(keyA, 'GET', '/api/notifications/webhooks?accountId=acct-a')).body.webhooks).toEqual([]);
  });
});

describe('notifier: webhook deliveries', () => {
  it('given a receiver that fails three times then succeeds, then it is delivered once and the log shows four attempts', async () => {
    // Given an endpoint whose first three answers are 500
    const url = receiver.script('/flaky', (k) => (k <= 3 ? 500 : 200));
    const { secret } = await webhook('acct-flaky', url, ['recharge_succeeded']);
    // When a recharge succeeds
    await publishRecharge(purchase('acct-flaky', 'PurchaseSucceeded'));
    // Then the delivery ends delivered, after four attempts: three failures and the success
    const [d] = await settled('acct-flaky', 1);
    expect(d).toMatchObject({ kind: 'recharge_succeeded', channel: 'webhook', target: url, status: 'delivered', lastError: null });
    expect(d!.attempts.map((a) => [a.attempt, a.outcome, a.statusCode])).toEqual([
      [1, 'failed', 500],
      [2, 'failed', 500],
      [3, 'failed', 500],
      [4, 'delivered', 200],
    ]);
    expect(d!.attempts[0]!.error).toBe('HTTP 500: scripted failure 1');
    // and the receiver got the same notification four times, validly signed each time, and accepted one
    await pause(500);
    const got = receiver.at('/flaky');
    expect(got.map((r) => r.status)).toEqual([500, 500, 500, 200]);
    expect(new Set(got.map((r) => r.headers[WEBHOOK_ID_HEADER])).size).toBe(1);
    expect(new Set(got.map((r) => r.body)).size).toBe(1);
    for (const r of got) {
      expect(verifySignature({ header: r.headers[WEBHOOK_SIGNATURE_HEADER] as string, body: r.body, secret, nowSec: Math.floor(Date.now() / 1000) })).toBe(true);
    }
    const envelope = JSON.parse(got[0]!.body) as NotificationEnvelope;
    expect(envelope).toMatchObject({ id: d!.notificationId, kind: 'recharge_succeeded', accountId: 'acct-flaky', data: { credits: '1000000', amountMinor: '2900', currency: 'EUR' } });
    expect(got[0]!.headers[WEBHOOK_ID_HEADER]).toBe(envelope.id);
  });

  it('given the same event published twice, then one webhook and one e-mail', async () => {
    const url = receiver.script('/twice', () => 200);
    await webhook('acct-twice', url, ['limit_reached']);
    expect((await n.call('POST', '/api/notifications/emails', { accountId: 'acct-twice', address: 'ops@twice.test', kinds: ['limit_reached'] })).status).toBe(201);
    const event = { id: 'acct-twice#daily_generations#2026-11-21', type: 'LimitReached', accountId: 'acct-twice', at: now(), limit: 'daily_generations', period: '2026-11-21', value: '20' };
    // Different message ids: JetStream's own de-duplication does not hide the repeat.
    await n.publish(METERING_EVENT_SUBJECTS.LimitReached, event, 'twice-1');
    await n.publish(METERING_EVENT_SUBJECTS.LimitReached, event, 'twice-2');
    await settled('acct-twice', 2);
    await pause(500);
    expect(receiver.at('/twice')).toHaveLength(1);
    expect(smtp.to('ops@twice.test')).toHaveLength(1);
    expect(await deliveries('acct-twice')).toHaveLength(2);
    const mail = smtp.to('ops@twice.test')[0]!;
    expect(mail.subject).toBe('Limit reached: daily generation limit');
    expect(mail.text).toContain('reached its daily generation limit of 20 generations for 2026-11-21');
    expect(mail.headers['x-credence-notification-id']).toBe((JSON.parse(receiver.at('/twice')[0]!.body) as NotificationEnvelope).id);
  });

  it('given a receiver that never succeeds, then the delivery is dead-lettered after the max age, and a retry delivers it', async () => {
    let healthy = false;
    const url = receiver.script('/down', () => (healthy ? 200 : 503));
    await webhook('acct-down', url, ['auto_recharge_disabled']);
    await publishRecharge(purchase('acct-down', 'AutoRechargeDisabled', { purchaseId: null, reason: 'payment method expired' }));
    const [dead] = await settled('acct-down', 1, 'dead');
    expect(dead!.attempts.length).toBeGreaterThanOrEqual(3);
    expect(dead!.attempts.every((a) => a.outcome === 'failed' && a.statusCode === 503)).toBe(true);
    expect(dead!.lastError).toMatch(/^HTTP 503.*gave up/);
    // No attempt started after the give-up time
    expect(Date.parse(dead!.attempts.at(-1)!.startedAt)).toBeLessThanOrEqual(Date.parse(dead!.giveUpAt));
    const tried = receiver.at('/down').length;
    await pause(400);
    expect(receiver.at('/down')).toHaveLength(tried);

    // When the receiver is fixed and the dead letter retried
    healthy = true;
    const retried = await n.call<DeliveryView>('POST', `/api/notifications/deliveries/${dead!.id}/retry`);
    expect(retried).toMatchObject({ status: 200, body: { status: 'pending' } });
    const [done] = await settled('acct-down', 1);
    expect(done!.attempts.at(-1)).toMatchObject({ attempt: dead!.attempts.length + 1, outcome: 'delivered', statusCode: 200 });
    expect((await n.call('POST', `/api/notifications/deliveries/${dead!.id}/retry`)).status).toBe(409);
    expect((await n.call('POST', '/api/notifications/deliveries/999999999/retry')).status).toBe(404);
  });

  it('given an address the SMTP server refuses (550), then the e-mail is dead at once, not retried', async () => {
    await n.call('POST', '/api/notifications/emails', { accountId: 'acct-bounce', address: 'bounce@bounce.test', kinds: ['recharge_failed'] });
    await publishRecharge(purchase('acct-bounce', 'PurchaseDeclined', { reason: 'card_declined' }));
    const [d] = await settled('acct-bounce', 1, 'dead');
    expect(d!.attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'failed', statusCode: 550 })]);
    expect(d!.lastError).toMatch(/permanent/);
  });
});

describe('notifier: what events notify', () => {
  it('given recharge events, then the kinds the endpoint asked for, and several declines of one purchase told once', async () => {
    const url = receiver.script('/recharge', () => 200);
    await webhook('acct-r', url, ['recharge_failed', 'recharge_skipped']);
    const declined = purchase('acct-r', 'PurchaseDeclined', { reason: 'card_declined' });
    await publishRecharge(declined);
    await publishRecharge({ ...declined, id: `${declined.purchaseId}#PurchaseDeclined#2`, attempt: 2 });
    await publishRecharge({ ...declined, id: `${declined.purchaseId}#PurchaseAbandoned#3`, type: 'PurchaseAbandoned', attempt: 3, reason: 'too_many_declines' });
    await publishRecharge(purchase('acct-r', 'PurchaseSkipped', { purchaseId: null, reason: 'monthly_limit' }));
    await publishRecharge(purchase('acct-r', 'PurchaseSucceeded'));
    await settled('acct-r', 3);
    await pause(300);
    const kinds = receiver.at('/recharge').map((r) => JSON.parse(r.body) as NotificationEnvelope);
    expect(kinds.map((k) => `${k.kind}:${k.data['final'] === undefined ? '' : JSON.stringify(k.data['final'])}`).sort()).toEqual(['recharge_failed:false', 'recharge_failed:true', 'recharge_skipped:']);
  });

  it('given a price change, then accounts subscribed to that catalog are told, others not', async () => {
    const url = receiver.script('/prices', () => 200);
    await webhook('acct-p1', url, ['price_change']);
    await webhook('acct-p2', url, ['price_change']);
    await n.publish(METERING_EVENT_SUBJECTS.SubscriptionSet, { id: 's1', type: 'SubscriptionSet', accountId: 'acct-p1', at: now(), catalogId: 'cat-one', planId: 'pro' });
    await n.publish(METERING_EVENT_SUBJECTS.SubscriptionSet, { id: 's2', type: 'SubscriptionSet', accountId: 'acct-p2', at: now(), catalogId: 'cat-two', planId: 'pro' });
    await waitFor(async () => (await n.query('select 1 from subscriptions')).length === 2, { what: 'both subscriptions' });
    await n.publish(CATALOG_PRICE_CHANGE_SUBJECT, {
      catalogId: 'cat-one',
      revision: 4,
      announcedAt: now(),
      changes: [{ kind: 'pack', id: 'pack-1m', versionId: 'pack-1m-v2', effectiveAt: '2027-01-01T00:00:00Z' }],
    });
    await settled('acct-p1', 1);
    await pause(300);
    expect(receiver.at('/prices').map((r) => (JSON.parse(r.body) as NotificationEnvelope).accountId)).toEqual(['acct-p1']);
    expect(await deliveries('acct-p2')).toEqual([]);
  });

  it('given a malformed event and a stale one, then the first is kept in rejects and the second notifies nobody; their neighbours go through', async () => {
    const url = receiver.script('/mixed', () => 200);
    await webhook('acct-mixed', url, ['recharge_succeeded']);
    await n.publish(RECHARGE_EVENT_SUBJECTS.PurchaseSucceeded, Buffer.from('{not json'));
    await n.publish(RECHARGE_EVENT_SUBJECTS.PurchaseSucceeded, { ...purchase('acct-mixed', 'PurchaseSucceeded'), accountId: 42 });
    await publishRecharge(purchase('acct-mixed', 'PurchaseSucceeded', { at: new Date(Date.now() - 2 * 86_400_000).toISOString() }));
    await publishRecharge(purchase('acct-mixed', 'PurchaseSucceeded'));
    await settled('acct-mixed', 1);
    await pause(300);
    expect(receiver.at('/mixed')).toHaveLength(1);
    const rejects = await n.query<{ reason: string }>('select reason from rejects order by id');
    expect(rejects.map((r) => r.reason)).toEqual([expect.stringMatching(/^not JSON/), 'accountId: must be a non-empty string']);
  });
});
