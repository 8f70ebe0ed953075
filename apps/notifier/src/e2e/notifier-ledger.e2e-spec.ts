import { WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, type DeliveryView, type NotificationEnvelope } from '@credence/contracts';
import { verifySignature } from '@credence/notifier-domain';
import { waitFor } from '@credence/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries -- e2e support reuses the ledger's process helpers
import { LedgerDeployment, type LedgerProcess } from '../../../ledger/src/testing/ledger-process.js';
import { NotifierDeployment } from '../testing/notifier-process.js';
import { SmtpSink, WebhookReceiver } from '../testing/receivers.js';

let ledgerDeployment: LedgerDeployment;
let ledger: LedgerProcess;
let n: NotifierDeployment;
let receiver: WebhookReceiver;
let smtp: SmtpSink;
let secret: string;

const DAY = 86_400_000;
const ok = (reply: { status: number; body: unknown }) => expect(reply).toMatchObject({ status: 200 });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const deliveries = async (accountId: string, kind: string): Promise<DeliveryView[]> =>
  (await n.call<{ deliveries: DeliveryView[] }>('GET', `/api/notifications/deliveries?accountId=${accountId}&kind=${kind}`)).body.deliveries;

const delivered = (accountId: string, kind: string, count: number) =>
  waitFor(
    async () => {
      const ds = await deliveries(accountId, kind);
      return ds.filter((d) => d.status === 'delivered').length >= count ? ds : undefined;
    },
    { what: `${count} delivered ${kind} of ${accountId}`, timeoutMs: 20_000 },
  );

beforeAll(async () => {
  [receiver, smtp] = await Promise.all([WebhookReceiver.start(), SmtpSink.start()]);
  ledgerDeployment = await LedgerDeployment.create('ntfledger');
  ledger = await ledgerDeployment.start();
  // The same prefix: the notifier reads this ledger's LEDGER stream.
  n = await NotifierDeployment.create('ntfledger', ledgerDeployment.prefix);
  await n.start({ SMTP_URL: smtp.url, MAIL_FROM: 'Credence <notify@credence.test>' });
  await n.process.waitForLine(/_LEDGER".*"msg":"consuming"/, 15_000);
  const r = await n.call<{ secret: string }>('POST', '/api/notifications/webhooks', {
    accountId: 'acct-low',
    url: receiver.script('/ledger', () => 200),
    kinds: ['balance_low', 'credits_expiring'],
  });
  expect(r.status).toBe(201);
  secret = r.body.secret;
  expect((await n.call('POST', '/api/notifications/emails', { accountId: 'acct-low', address: 'owner@low.test', kinds: ['balance_low'] })).status).toBe(201);
}, 90_000);

afterAll(async () => {
  await n?.close();
  await ledgerDeployment?.close();
  await receiver?.close();
  await smtp?.close();
});

describe('notifier with a real ledger', () => {
  it('given a threshold, when usage takes the balance across it, then one webhook and one e-mail say so, signed and readable', async () => {
    // Given 1,000 credits and a "low" threshold at 500
    ok(await ledger.post('/api/ledger/grants', { key: 'g1', accountId: 'acct-low', source: 'purchase', amount: '1000' }));
    ok(await ledger.put('/api/ledger/thresholds', { key: 't1', accountId: 'acct-low', name: 'low', level: '500' }));
    // When usage crosses it, and more usage follows below it
    ok(await ledger.post('/api/ledger/usage', { key: 'u1', accountId: 'acct-low', amount: '600' }));
    ok(await ledger.post('/api/ledger/usage', { key: 'u2', accountId: 'acct-low', amount: '50' }));
    // Then one balance_low webhook and one e-mail
    const [d] = await delivered('acct-low', 'balance_low', 2);
    await pause(500);
    const hooks = receiver.at('/ledger').filter((r) => (JSON.parse(r.body) as NotificationEnvelope).kind === 'balance_low');
    expect(hooks).toHaveLength(1);
    const hook = hooks[0]!;
    expect(verifySignature({ header: hook.headers[WEBHOOK_SIGNATURE_HEADER] as string, body: hook.body, secret, nowSec: Math.floor(Date.now() / 1000) })).toBe(true);
    const envelope = JSON.parse(hook.body) as NotificationEnvelope;
    expect(envelope).toMatchObject({ kind: 'balance_low', accountId: 'acct-low', data: { threshold: 'low', level: '500', available: '400' } });
    expect(hook.headers[WEBHOOK_ID_HEADER]).toBe(envelope.id);
    expect(d?.notificationId).toBe(envelope.id);

    const mails = smtp.to('owner@low.test');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('Low balance: 400 credits left');
    expect(mails[0]!.text).toContain('The available balance of account acct-low fell below 500 credits\n(threshold "low"). 400 credits are available now.');
    expect(mails[0]!.headers['from']).toContain('notify@credence.test');
  });

  it('given a grant expiring within the notice window, then credits_expiring is sent once for it', async () => {
    const expiresAt = new Date(Date.now() + 3 * DAY).toISOString();
    ok(await ledger.post('/api/ledger/grants', { key: 'promo-1', accountId: 'acct-low', source: 'promo', amount: '250', expiresAt }));
    ok(await ledger.post('/api/ledger/grants', { key: 'forever', accountId: 'acct-low', source: 'purchase', amount: '5' }));
    const [d] = await delivered('acct-low', 'credits_expiring', 1);
    await pause(500);
    expect(await deliveries('acct-low', 'credits_expiring')).toHaveLength(1);
    const hook = receiver.at('/ledger').find((r) => r.headers[WEBHOOK_ID_HEADER] === d!.notificationId)!;
    expect(JSON.parse(hook.body)).toMatchObject({ kind: 'credits_expiring', data: { grantId: 'promo-1', source: 'promo', amount: '250', expiresAt: new Date(expiresAt).toISOString() } });
  });
});
