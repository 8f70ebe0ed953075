import { register } from 'node:module';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK, type NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export interface TelemetryOptions {
  readonly serviceName: string;
  readonly serviceVersion: string;
  /**
   * Registers the loader hook that lets the instrumentations patch ESM imports of http and pg. On by
   * default; off only where a loader hook cannot be registered (Jest refuses `module.register`).
   */
  readonly hookEsmImports?: boolean;
}

export interface Telemetry {
  shutdown(): Promise<void>;
}

/** What telemetry does, decided from the environment alone so it can be tested without starting anything. */
export interface TelemetryPlan {
  readonly enabled: boolean;
  readonly traces: 'otlp' | 'none';
  readonly metrics: 'otlp' | 'none';
}

type Env = Readonly<Record<string, string | undefined>>;

const isSet = (value: string | undefined): boolean => value !== undefined && value.trim() !== '';
const listIncludesNone = (value: string | undefined): boolean =>
  (value ?? '').split(',').some((item) => item.trim() === 'none');

export function telemetryPlan(env: Env): TelemetryPlan {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') {
    return { enabled: false, traces: 'none', metrics: 'none' };
  }
  const anyEndpoint = isSet(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const traces =
    (anyEndpoint || isSet(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)) && !listIncludesNone(env.OTEL_TRACES_EXPORTER);
  const metrics =
    (anyEndpoint || isSet(env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT)) && !listIncludesNone(env.OTEL_METRICS_EXPORTER);
  return { enabled: true, traces: traces ? 'otlp' : 'none', metrics: metrics ? 'otlp' : 'none' };
}

/** Modules whose ESM imports must be intercepted for the instrumentations to patch them. */
const INSTRUMENTED_MODULES = ['http', 'https', 'pg'];
let esmHookRegistered = false;

function registerEsmHook(): void {
  if (esmHookRegistered) return;
  esmHookRegistered = true;
  // Without this loader hook an ESM `import 'node:http'` is never seen by the instrumentation (CJS
  // `require` is patched without it). Limiting it to the instrumented modules keeps every other import
  // untouched.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
    data: { include: INSTRUMENTED_MODULES },
  });
}

/**
 * Starts OpenTelemetry for a service. Call it first in `main.ts` and only then import Nest, pg and the
 * rest of the service, dynamically: `await startTelemetry(...); await import('./bootstrap.js')`. ESM
 * hoists static imports, so anything imported statically next to this call is loaded before the
 * instrumentation can patch it.
 *
 * Nothing leaves the process unless an OTLP endpoint is configured: without one, spans still get ids
 * (so logs carry trace ids and `traceparent` is propagated) but are dropped, and no metric reader runs.
 */
export function startTelemetry(options: TelemetryOptions, env: Env = process.env): Promise<Telemetry> {
  const plan = telemetryPlan(env);
  if (!plan.enabled) return Promise.resolve({ shutdown: () => Promise.resolve() });

  if (options.hookEsmImports !== false) registerEsmHook();

  const config: Partial<NodeSDKConfiguration> = {
    resource: defaultResource().merge(
      resourceFromAttributes({
        [ATTR_SERVICE_NAME]: options.serviceName,
        [ATTR_SERVICE_VERSION]: options.serviceVersion,
      }),
    ),
    instrumentations: [new HttpInstrumentation(), new PgInstrumentation()],
    // Services log with pino to stdout; OTel's own log pipeline would default to an OTLP exporter.
    logRecordProcessors: [],
  };
  if (plan.traces === 'otlp') {
    // The exporter reads OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, headers and timeouts itself.
    config.traceExporter = new OTLPTraceExporter();
  } else {
    config.spanProcessors = [new NoopSpanProcessor()];
  }
  if (plan.metrics === 'none') {
    // Left unset, NodeSDK builds an OTLP metric reader from OTEL_* variables (see README); an empty
    // list means no MeterProvider, so the metric helpers hand out no-op instruments.
    config.metricReaders = [];
  }

  const sdk = new NodeSDK(config);
  sdk.start();
  return Promise.resolve({ shutdown: () => sdk.shutdown() });
}
