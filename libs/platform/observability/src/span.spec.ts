import { SpanStatusCode } from '@opentelemetry/api';
import { installInMemoryTracing, type InMemoryTracing } from './in-memory-tracing.js';
import { withSpan } from './span.js';

describe('withSpan', () => {
  let tracing: InMemoryTracing;
  beforeEach(() => {
    tracing = installInMemoryTracing();
  });
  afterEach(async () => {
    await tracing.uninstall();
  });

  it('records a span with its attributes and nests spans opened inside it', async () => {
    // when a span is opened inside another
    const result = await withSpan('outer', { 'credence.account': 'a-1' }, () =>
      withSpan('inner', {}, () => Promise.resolve(42)),
    );

    // then both are recorded, the inner one a child of the outer one
    expect(result).toBe(42);
    const [inner, outer] = tracing.exporter.getFinishedSpans();
    expect(outer?.name).toBe('outer');
    expect(outer?.attributes['credence.account']).toBe('a-1');
    expect(inner?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId);
  });

  it('marks the span failed when fn throws, and rethrows', async () => {
    await expect(withSpan('boom', {}, () => Promise.reject(new Error('bug')))).rejects.toThrow('bug');
    const [span] = tracing.exporter.getFinishedSpans();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'bug' });
    expect(span?.events.map((event) => event.name)).toEqual(['exception']);
  });

  it('records an expected refusal as an attribute, not as an error', async () => {
    await withSpan('reserve', {}, () => ({ ok: false, code: 'insufficient-credit' }));
    const [span] = tracing.exporter.getFinishedSpans();
    expect(span?.attributes['credence.refusal']).toBe('insufficient-credit');
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });
});
