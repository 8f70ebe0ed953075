import { propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { core } from '@opentelemetry/sdk-node';
import { extractTraceContext, injectTraceHeaders } from './trace.js';

describe('trace headers', () => {
  beforeAll(() => propagation.setGlobalPropagator(new core.W3CTraceContextPropagator()));
  afterAll(() => propagation.disable());

  const span = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED };

  it('given a context with a span, when injected, then a W3C traceparent joins a copy of the headers', () => {
    const original = { 'X-Tenant': 't1' };

    const headers = injectTraceHeaders(original, trace.setSpanContext(ROOT_CONTEXT, span));

    expect(headers).toEqual({ 'X-Tenant': 't1', traceparent: `00-${span.traceId}-${span.spanId}-01` });
    expect(original).toEqual({ 'X-Tenant': 't1' });
  });

  it('given a header written with other casing, when extracted, then the remote span context is found', () => {
    const ctx = extractTraceContext({ Traceparent: `00-${span.traceId}-${span.spanId}-01` });

    expect(trace.getSpanContext(ctx)).toMatchObject({ traceId: span.traceId, spanId: span.spanId, isRemote: true });
  });

  it('given no trace headers, when extracted, then there is no span context', () => {
    expect(trace.getSpanContext(extractTraceContext({}))).toBeUndefined();
  });
});
