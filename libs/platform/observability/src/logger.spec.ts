import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import { installInMemoryTracing, type InMemoryTracing } from './in-memory-tracing.js';
import { createLogger } from './logger.js';

function captureLines(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { stream, lines };
}

describe('createLogger', () => {
  let tracing: InMemoryTracing;
  beforeEach(() => {
    tracing = installInMemoryTracing();
  });
  afterEach(async () => {
    await tracing.uninstall();
  });

  it('adds the active trace id and span id to each line logged inside a span', async () => {
    // given a logger and an active span
    const { stream, lines } = captureLines();
    const logger = createLogger({ name: 'ledger', destination: stream });
    const tracer = trace.getTracer('test');

    // when logging inside the span, across an await
    const ids = await tracer.startActiveSpan('post-entry', async (span) => {
      await Promise.resolve();
      logger.info({ account: 'a-1' }, 'posted');
      span.end();
      return span.spanContext();
    });

    // then the line carries that span's ids, and the span was really recorded
    const [line] = lines();
    expect(line).toMatchObject({ msg: 'posted', name: 'ledger', level: 'info', account: 'a-1' });
    expect(line?.trace_id).toBe(ids.traceId);
    expect(line?.span_id).toBe(ids.spanId);
    expect(line?.trace_flags).toBe('01');
    expect(tracing.exporter.getFinishedSpans().map((span) => span.spanContext().traceId)).toEqual([ids.traceId]);
  });

  it('adds no trace fields outside a span', () => {
    // given a logger and no active span
    const { stream, lines } = captureLines();
    const logger = createLogger({ name: 'ledger', destination: stream });

    // when logging
    logger.info('idle');

    // then the line has no trace fields
    const [line] = lines();
    expect(line).toMatchObject({ msg: 'idle' });
    expect(line).not.toHaveProperty('trace_id');
    expect(line).not.toHaveProperty('span_id');
  });

  it('takes its level from LOG_LEVEL, defaulting to info, unless given one', () => {
    expect(createLogger({ name: 'x', destination: captureLines().stream }, {}).level).toBe('info');
    expect(createLogger({ name: 'x', destination: captureLines().stream }, { LOG_LEVEL: 'debug' }).level).toBe('debug');
    expect(createLogger({ name: 'x', level: 'warn', destination: captureLines().stream }, { LOG_LEVEL: 'debug' }).level).toBe(
      'warn',
    );
  });
});
