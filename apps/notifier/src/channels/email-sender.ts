import { createTransport } from 'nodemailer';
import type { ClaimedDelivery } from '@credence/notifier-data-access';
import { renderEmail, type RenderInput } from '@credence/notifier-domain';
import type { ChannelSender, SendResult } from '../application/deliver/deliver.js';

/** The stored body is the webhook JSON; the e-mail is rendered from it, so both say the same thing. */
function fromBody(body: string): RenderInput {
  const b = JSON.parse(body) as { id: string; kind: RenderInput['kind']; accountId: string; occurredAt: string; data: RenderInput['data'] };
  return { id: b.id, kind: b.kind, accountId: b.accountId, occurredAt: Date.parse(b.occurredAt), data: b.data };
}

type SmtpError = Error & { responseCode?: number; code?: string };

/** Pooled: one connection carries many messages, at most `maxConnections` at once. */
const smtpPool = (url: string, timeoutMs: number, maxConnections: number) =>
  createTransport({ url, pool: true, maxConnections, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs });

/**
 * SMTP through nodemailer (pooled connections). An SMTP 5xx answer (mailbox unknown, message
 * refused) is permanent and not retried; anything else (4xx, a timeout, a refused connection) is.
 * The Message-ID is derived from the notification and the recipient, so a message resent after a
 * lost answer is recognisably the same one.
 */
export class EmailSender implements ChannelSender {
  private readonly transport: ReturnType<typeof smtpPool>;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    timeoutMs: number,
    maxConnections: number,
  ) {
    this.transport = smtpPool(smtpUrl, timeoutMs, maxConnections);
  }

  async send(d: ClaimedDelivery): Promise<SendResult> {
    try {
      const mail = renderEmail(fromBody(d.body));
      const info = await this.transport.sendMail({
        from: this.from,
        to: d.target,
        subject: mail.subject,
        text: mail.text,
        messageId: `<${d.notificationId}.${d.targetId}@credence.notifier>`,
        headers: { 'X-Credence-Notification-Id': d.notificationId, 'X-Credence-Notification-Kind': d.kind },
      });
      const code = /^(\d{3})/.exec(info.response ?? '')?.[1];
      return { ok: true, statusCode: code === undefined ? null : Number(code), error: null, permanent: false };
    } catch (e) {
      const err = e as SmtpError;
      const code = typeof err.responseCode === 'number' ? err.responseCode : null;
      return { ok: false, statusCode: code, error: `${err.code ? `${err.code}: ` : ''}${err.message}`.slice(0, 500), permanent: code !== null && code >= 500 && code < 600 };
    }
  }

  close(): void {
    this.transport.close();
  }
}
