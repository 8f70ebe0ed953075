import { context } from '@opentelemetry/api';
import { errors, RequestError, type Msg, type NatsConnection, type Subscription } from '@nats-io/nats-core';
import { err, InvariantViolation, ok, type Result } from '@credence/kernel';
import { fromMsgHdrs, toMsgHdrs, type HeaderRecord } from './headers.js';
import { extractTraceContext, injectTraceHeaders } from './trace.js';

/** The NATS micro-services convention: a reply carrying these headers is a failure, not data. */
export const SERVICE_ERROR_HEADER = 'Nats-Service-Error';
export const SERVICE_ERROR_CODE_HEADER = 'Nats-Service-Error-Code';

export type IncomingRequest = {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
};

export type RequestHandler = (request: IncomingRequest) => Promise<Uint8Array>;

export type ServeRequestsOptions = {
  /** Queue group: each request goes to one member. */
  readonly queue: string;
  readonly handler: RequestHandler;
  readonly maxConcurrent: number;
  /** Requests waiting for a free slot; past it a request is refused at once (503). Default 10 × maxConcurrent. */
  readonly maxQueued?: number;
  /** Handler failures; the requester gets a 500 service error. */
  readonly onError?: (error: unknown, request: IncomingRequest) => void;
};

export type RequestServer = {
  readonly subject: string;
  /** Stops taking requests, answers the ones already taken, then resolves. */
  stop(): Promise<void>;
};

export function serveRequests(nc: NatsConnection, subject: string, options: ServeRequestsOptions): RequestServer {
  if (options.maxConcurrent < 1) throw new InvariantViolation('maxConcurrent must be at least 1');
  const maxQueued = options.maxQueued ?? options.maxConcurrent * 10;
  const waiting: Msg[] = [];
  const inFlight = new Set<Promise<void>>();

  const run = (msg: Msg): void => {
    const done = answer(msg, options).finally(() => {
      inFlight.delete(done);
      const next = waiting.shift();
      if (next !== undefined) run(next);
    });
    inFlight.add(done);
  };

  const sub: Subscription = nc.subscribe(subject, {
    queue: options.queue,
    callback: (error, msg) => {
      if (error !== null) return;
      if (inFlight.size < options.maxConcurrent) run(msg);
      else if (waiting.length < maxQueued) waiting.push(msg);
      else respondError(msg, 503, 'busy');
    },
  });

  return {
    subject,
    async stop() {
      await sub.drain();
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

async function answer(msg: Msg, options: ServeRequestsOptions): Promise<void> {
  const request: IncomingRequest = { subject: msg.subject, data: msg.data, headers: fromMsgHdrs(msg.headers) };
  try {
    const reply = await context.with(extractTraceContext(request.headers), () => options.handler(request));
    msg.respond(reply);
  } catch (error) {
    try {
      options.onError?.(error, request);
    } catch {
      // A failing error reporter must not leave the requester waiting.
    }
    respondError(msg, 500, error instanceof Error ? error.message : String(error));
  }
}

function respondError(msg: Msg, code: number, message: string): void {
  // Header values are single-line.
  const text = message.replace(/[\r\n]+/g, ' ');
  msg.respond(new Uint8Array(), { headers: toMsgHdrs({ [SERVICE_ERROR_HEADER]: text, [SERVICE_ERROR_CODE_HEADER]: String(code) }) });
}

export type Reply = { readonly data: Uint8Array; readonly headers: Readonly<Record<string, string>> };

export type RequestFailure = 'timeout' | 'no-responders' | 'service-error';

export type RequestOptions = { readonly timeoutMs: number; readonly headers?: HeaderRecord };

/** Expected failures come back as values; only a closed connection or a bad subject throws. */
export async function request(
  nc: NatsConnection,
  subject: string,
  data: Uint8Array,
  options: RequestOptions,
): Promise<Result<Reply, RequestFailure>> {
  let msg: Msg;
  try {
    msg = await nc.request(subject, data, { timeout: options.timeoutMs, headers: toMsgHdrs(injectTraceHeaders(options.headers)) });
  } catch (error) {
    if (error instanceof errors.TimeoutError || (error instanceof RequestError && error.cause instanceof errors.TimeoutError)) {
      return err('timeout', `no reply on ${subject} within ${options.timeoutMs} ms`);
    }
    if (error instanceof errors.NoRespondersError || (error instanceof RequestError && error.isNoResponders())) {
      return err('no-responders', `nobody serves ${subject}`);
    }
    throw error;
  }
  const headers = fromMsgHdrs(msg.headers);
  const serviceError = headers[SERVICE_ERROR_HEADER];
  if (serviceError !== undefined) {
    return err('service-error', `${headers[SERVICE_ERROR_CODE_HEADER] ?? '500'}: ${serviceError}`);
  }
  return ok({ data: msg.data, headers });
}
