import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly name: string;
  /** Overrides `LOG_LEVEL`; the default is `info`. */
  readonly level?: string;
  /** Where JSON lines go; stdout unless given (tests capture lines this way). */
  readonly destination?: DestinationStream;
}

/** Field names follow the OpenTelemetry log data model so collectors correlate lines with traces. */
export function activeTraceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const context = span.spanContext();
  if (!isSpanContextValid(context)) return {};
  return {
    trace_id: context.traceId,
    span_id: context.spanId,
    trace_flags: `0${context.traceFlags.toString(16)}`.slice(-2),
  };
}

export function createLogger(options: LoggerOptions, env: Readonly<Record<string, string | undefined>> = process.env): Logger {
  const level = options.level ?? env.LOG_LEVEL ?? 'info';
  const config = {
    name: options.name,
    level,
    // Level names rather than numbers: the lines are read by people as often as by machines.
    formatters: { level: (label: string) => ({ level: label }) },
    mixin: activeTraceFields,
  };
  return options.destination === undefined ? pino(config) : pino(config, options.destination);
}
