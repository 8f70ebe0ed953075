export { startTelemetry, telemetryPlan, type Telemetry, type TelemetryOptions, type TelemetryPlan } from './telemetry.js';
export { createLogger, activeTraceFields, type Logger, type LoggerOptions } from './logger.js';
export { counter, histogram, gauge } from './metrics.js';
export { withSpan } from './span.js';
export { installInMemoryTracing, type InMemoryTracing } from './in-memory-tracing.js';
