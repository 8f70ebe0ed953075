import { context, propagation, ROOT_CONTEXT, type Context, type TextMapGetter } from '@opentelemetry/api';
import type { HeaderRecord } from './headers.js';

// NATS keeps header case as sent, so a peer writing `Traceparent` must still be understood.
const caseInsensitiveGetter: TextMapGetter<HeaderRecord> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const direct = carrier[key];
    if (direct !== undefined) return direct;
    const wanted = key.toLowerCase();
    const found = Object.keys(carrier).find((k) => k.toLowerCase() === wanted);
    return found === undefined ? undefined : carrier[found];
  },
};

/**
 * Returns a copy of `headers` with the active trace context (W3C `traceparent`/`tracestate`
 * when the observability setup registered that propagator; nothing otherwise).
 */
export function injectTraceHeaders(headers: HeaderRecord = {}, from: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = { ...headers };
  propagation.inject(from, carrier);
  return carrier;
}

/** Extracts onto the root context: a consumer's own ambient context must not leak into the producer's trace. */
export function extractTraceContext(headers: HeaderRecord): Context {
  return propagation.extract(ROOT_CONTEXT, headers, caseInsensitiveGetter);
}
