// The five services together, as `npm start` runs them: a balance crossing the auto-recharge
// threshold buys one pack, restores the balance and tells the account once, by webhook and e-mail.
import { WEBHOOK_SIGNATURE_HEADER, type DeliveryView, type NotificationEnvelope } from '@credence/contracts';
import { verifySignature } from '@credence/notifier-domain';
import { waitFor } from '@credence/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries -- e2e support reuses recharge's stack (ledger, catalog, metering, recharge)
import { CARDS, RechargeStack } from '../../../recharge/src/testing/recharge-process.js';
import { NotifierDeployment } from '../testing/notifier-process.js';
import { SmtpSink, WebhookReceiver } from '../testing/receivers.js';

let s: RechargeStack;
let n: NotifierDeployment;
let receiver: WebhookReceiver;
let smtp: SmtpSink;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const kindOf = (body: string) => (JSON.parse(body) as NotificationEnvelope).kind;

const delivered = (accountId: string, kind: string) =>
  waitFor(
    async () => {
      const r = await n.call<{ deliveries: DeliveryView[] }>('GET', `/api/notifications/deliveries?accountId=${accountId}&kind=${kind}`);
      const done = r.body.deliveries.filter((d) => d.status === 'delivered');
      return done.length > 0 ? r.body.deliveries : undefined;
    },
    { what: `${kind} delivered to ${accountId}`, timeoutMs: 30_000 },
  );

/** A WAzion free-tier account with 2M promo credits, a card, a webhook and an e-mail, recharging the 1M pack below 1M. */
async function account(accountId: string, extra: Record<string, unknown> = {}): Promise<string> {
  await s.subscribe(accountId, 'wazion', 'free');
  await s.fund(accountId, 'promo-1', '2000000');
  await s.saveCard(accountId, CARDS.succeeds);
  const hook = await n.call<{ secret: string }>('POST', '/api/notifications/webhooks', {
    accountId,
    url: receiver.script(`/${accountId}`, () => 200),
    kinds: ['balance_low', 'recharge_succeeded', 'recharge_failed', 'recharge_skipped'],
  });
  expect(hook.status).toBe(201);
  expect((await n.call('POST', '/api/notifications/emails', { accountId, address: `owner@${accountId}.test`, kinds: ['recharge_succeeded', 'recharge_skipped'] })).status).toBe(201);
  const settings = await s.call('PUT', '/api/billing/auto-recharge', { accountId, enabled: true, packId: '1m', threshold: '1000000', ...extra });
  expect(settings.status).toBe(200);
  await s.thresholdConfigured(accountId);
  return hook.body.secret;
}

beforeAll(async () => {
  [receiver, smtp] = await Promise.all([WebhookReceiver.start(), SmtpSink.start()]);
  s = await RechargeStack.create('platform');
  n = await NotifierDeployment.create('platformn', s.metering.prefix);
  // Keys live in metering's schema, as in a deployment.
  await n.start({ SMTP_URL: smtp.url, MAIL_FROM: 'Credence <notify@credence.test>', AUTH_SCHEMA: s.metering.schema.schema });
}, 150_000);

afterAll(async () => {
  await n?.close();
  await s?.close();
  await receiver?.close();
  await smtp?.close();
});

describe('the platform: ledger, catalog, metering, recharge and notifier', () => {
  it('given the balance crosses the threshold, even with the crossing delivered twice, then one recharge, the balance restored, one webhook and one e-mail', async () => {
    const secret = await account('acct-cross');
    await s.use('acct-cross', 'use-1', '1500000');
    const [purchase] = await s.settled('acct-cross');
    expect(purchase).toMatchObject({ trigger: 'auto', status: 'granted', credits: '1000000', amountMinor: '2900' });
    expect(await s.metering.balance('acct-cross')).toMatchObject({ available: '1500000' });

    // The same crossing again (a redelivery): nothing more is bought or told.
    const [crossing] = await s.balanceLows('acct-cross');
    await s.redeliver(crossing!);
    await delivered('acct-cross', 'recharge_succeeded');
    await pause(1_500);
    expect(await s.purchases('acct-cross')).toHaveLength(1);
    expect(await s.charges('acct-cross')).toHaveLength(1);

    const hooks = receiver.at('/acct-cross');
    // The recharge's own threshold is not announced as a low balance: the recharge notice says more.
    expect(hooks.map((h) => kindOf(h.body))).toEqual(['recharge_succeeded']);
    const hook = hooks[0]!;
    expect(verifySignature({ header: hook.headers[WEBHOOK_SIGNATURE_HEADER] as string, body: hook.body, secret, nowSec: Math.floor(Date.now() / 1000) })).toBe(true);
    expect(JSON.parse(hook.body)).toMatchObject({ kind: 'recharge_succeeded', accountId: 'acct-cross', data: { purchaseId: purchase!.id } });
    const mails = smtp.to('owner@acct-cross.test');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain('acct-cross');
  });

  it("given the month's limit would be passed, then nothing is charged, and the account is told once by webhook and e-mail", async () => {
    // One 29 EUR pack a month: the first crossing buys it, the second is skipped.
    await account('acct-limit', { monthlyLimitMinor: '2900' });
    await s.use('acct-limit', 'use-1', '1500000');
    await s.settled('acct-limit', 1);
    await s.use('acct-limit', 'use-2', '1000000');
    const purchases = await s.settled('acct-limit', 2);
    expect(purchases.map((p) => p.status).sort()).toEqual(['granted', 'skipped']);
    expect(await s.charges('acct-limit')).toHaveLength(1);
    expect(await s.metering.balance('acct-limit')).toMatchObject({ available: '500000' });

    await delivered('acct-limit', 'recharge_skipped');
    await pause(1_000);
    expect(receiver.at('/acct-limit').map((h) => kindOf(h.body)).sort()).toEqual(['recharge_skipped', 'recharge_succeeded']);
    const skippedMails = smtp.to('owner@acct-limit.test').filter((m) => /limit/i.test(m.subject));
    expect(skippedMails).toHaveLength(1);
  });
});
