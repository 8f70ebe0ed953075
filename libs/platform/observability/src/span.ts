import { SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

const TRACER_NAME = '@credence/platform-observability';

/** A kernel `Err` (`{ ok: false, code }`) is an expected refusal, recorded on the span but not as an error. */
function refusalCode(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as { ok?: unknown; code?: unknown };
  return candidate.ok === false && typeof candidate.code === 'string' ? candidate.code : undefined;
}

/**
 * Runs `fn` inside a new active span, so spans and log lines made within it are its children. A thrown
 * error marks the span as failed and is rethrown.
 */
export async function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => T | Promise<T>): Promise<T> {
  return trace.getTracer(TRACER_NAME).startActiveSpan(name, { attributes }, async (span) => {
    try {
      const result = await fn(span);
      const code = refusalCode(result);
      if (code !== undefined) span.setAttribute('credence.refusal', code);
      return result;
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}
