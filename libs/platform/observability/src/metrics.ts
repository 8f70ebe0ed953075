import { metrics, type Counter, type Gauge, type Histogram } from '@opentelemetry/api';

const METER_NAME = '@credence/platform-observability';

// The meter is looked up on every call rather than cached: the API has no proxy meter provider, so an
// instrument created before `startTelemetry` is a no-op forever. Create instruments after it.
const meter = () => metrics.getMeter(METER_NAME);

/** A monotonic sum, e.g. events consumed. */
export function counter(name: string, description: string, unit = '1'): Counter {
  return meter().createCounter(name, { description, unit });
}

/** A distribution, e.g. handling latency in `ms`. */
export function histogram(name: string, description: string, unit = 'ms'): Histogram {
  return meter().createHistogram(name, { description, unit });
}

/** The last recorded value, e.g. consumer lag in messages. */
export function gauge(name: string, description: string, unit = '1'): Gauge {
  return meter().createGauge(name, { description, unit });
}
