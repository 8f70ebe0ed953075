import type { NatsConnection } from '@nats-io/nats-core';

export interface UpstreamOptions {
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly retryDelayMs: number;
  /** Sent as `Authorization: Bearer` on HTTP calls: the ledger's write routes need an admin key. */
  readonly apiKey?: string | undefined;
}

/** An upstream that did not answer usefully in time: nothing is known to have happened; retry with the same key. */
export type Unavailable = { readonly kind: 'unavailable'; readonly status: 'unavailable'; readonly detail: string };

export const unavailable = (detail: string): Unavailable => ({ kind: 'unavailable', status: 'unavailable', detail });

export type HttpAnswer = { readonly kind: 'http'; readonly status: number; readonly body: unknown };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries only what may succeed next time: timeouts, refused connections, 5xx. Every request carries an idempotency key. */
export async function httpJson(o: UpstreamOptions, method: string, url: string, body?: unknown): Promise<HttpAnswer | Unavailable> {
  let detail = '';
  for (let attempt = 1; attempt <= o.attempts; attempt++) {
    try {
      const res = await fetch(url, {
        method,
        signal: AbortSignal.timeout(o.timeoutMs),
        headers: {
          ...(o.apiKey === undefined ? {} : { authorization: `Bearer ${o.apiKey}` }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (res.status < 500) return { kind: 'http', status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
      detail = `${method} ${url} answered ${res.status}`;
    } catch (e) {
      detail = `${method} ${url}: ${(e as Error).message}`;
    }
    if (attempt < o.attempts) await sleep(o.retryDelayMs * attempt);
  }
  return unavailable(detail);
}

/** NATS request/reply with the same bounded retries (timeouts and "no responders" alike). */
export async function natsJson(o: UpstreamOptions, nc: NatsConnection, subject: string, body: unknown): Promise<{ kind: 'reply'; body: unknown } | Unavailable> {
  let detail = '';
  for (let attempt = 1; attempt <= o.attempts; attempt++) {
    try {
      const msg = await nc.request(subject, Buffer.from(JSON.stringify(body)), { timeout: o.timeoutMs });
      const parsed = JSON.parse(Buffer.from(msg.data).toString('utf8')) as unknown;
      // The transport's own failure reply (a handler threw, or the service is busy).
      if (parsed !== null && typeof parsed === 'object' && 'error' in parsed) detail = `${subject}: ${JSON.stringify(parsed)}`;
      else return { kind: 'reply', body: parsed };
    } catch (e) {
      detail = `${subject}: ${(e as Error).message}`;
    }
    if (attempt < o.attempts) await sleep(o.retryDelayMs * attempt);
  }
  return unavailable(detail);
}
