import { WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER } from '@credence/contracts';
import type { Clock } from '@credence/kernel';
import type { ClaimedDelivery } from '@credence/notifier-data-access';
import { signatureHeader } from '@credence/notifier-domain';
import type { ChannelSender, SendResult } from '../application/deliver/deliver.js';

/** Enough of a refusal's body to say why in the log; the rest is not read. */
const MAX_ERROR_BODY_BYTES = 512;

async function readCapped(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Leaving the loop early cancels the rest of the body.
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= maxBytes) break;
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}

function describe(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  // undici puts the socket error (ECONNREFUSED, ENOTFOUND, ...) in `cause`.
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return `${cause.code}${typeof cause.message === 'string' ? `: ${cause.message}` : ''}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * POSTs the notification's JSON, signed for this attempt (`t` is now, so a receiver's tolerance
 * window applies to every retry), with the notification id as the receiver's idempotency key.
 * 2xx is delivered; anything else, a redirect included (not followed: the signature names no
 * other URL), is a failure to retry.
 */
export class WebhookSender implements ChannelSender {
  constructor(
    private readonly timeoutMs: number,
    private readonly clock: Clock,
  ) {}

  async send(d: ClaimedDelivery): Promise<SendResult> {
    const timestampSec = Math.floor(this.clock.now() / 1000);
    try {
      const res = await fetch(d.target, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'credence-notifier/1',
          [WEBHOOK_ID_HEADER]: d.notificationId,
          'credence-notification-kind': d.kind,
          [WEBHOOK_SIGNATURE_HEADER]: signatureHeader(d.secret ?? '', timestampSec, d.body),
        },
        body: d.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (res.status >= 200 && res.status < 300) {
        await res.body?.cancel().catch(() => undefined);
        return { ok: true, statusCode: res.status, error: null, permanent: false };
      }
      const text = (await readCapped(res, MAX_ERROR_BODY_BYTES).catch(() => '')).trim();
      return { ok: false, statusCode: res.status, error: `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`, permanent: false };
    } catch (error) {
      return { ok: false, statusCode: null, error: describe(error, this.timeoutMs), permanent: false };
    }
  }
}
