import { Catch, type ArgumentsHost, type HttpServer } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';

/** pg-pool's error when no connection frees up within `connectionTimeoutMillis`. */
const POOL_EXHAUSTED = /timeout exceeded when trying to connect/;

/** Seconds a client should wait before trying again when the service is saturated. */
export const BUSY_RETRY_AFTER_S = 1;

export const isPoolExhausted = (error: unknown): boolean => error instanceof Error && POOL_EXHAUSTED.test(error.message);

/**
 * An overloaded service says so: when every database connection stays busy past the pool's
 * timeout, the request is answered `503` with `Retry-After` (nothing was done, the same key can be
 * sent again), not a `500` that reads like a bug. Everything else goes to Nest's own handling.
 */
@Catch()
export class BusyFilter extends BaseExceptionFilter {
  constructor(private readonly http: HttpServer) {
    super(http);
  }

  override catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http' || !isPoolExhausted(error)) return super.catch(error, host);
    const response: unknown = host.switchToHttp().getResponse();
    this.http.setHeader(response, 'retry-after', String(BUSY_RETRY_AFTER_S));
    this.http.reply(response, { status: 'unavailable', detail: 'busy: no database connection free in time; retry with the same key' }, 503);
  }
}
