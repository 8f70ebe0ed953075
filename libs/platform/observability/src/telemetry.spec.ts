import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { counter } from './metrics.js';
import { withSpan } from './span.js';
import { startTelemetry, telemetryPlan } from './telemetry.js';

describe('telemetryPlan', () => {
  it('exports nothing when no OTLP endpoint is configured', () => {
    expect(telemetryPlan({})).toEqual({ enabled: true, traces: 'none', metrics: 'none' });
    expect(telemetryPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toEqual({ enabled: true, traces: 'none', metrics: 'none' });
  });

  it('exports traces and metrics over OTLP when the shared endpoint is set', () => {
    expect(telemetryPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({
      enabled: true,
      traces: 'otlp',
      metrics: 'otlp',
    });
  });

  it('honours the signal-specific endpoints and the `none` exporters', () => {
    expect(telemetryPlan({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toEqual({
      enabled: true,
      traces: 'otlp',
      metrics: 'none',
    });
    expect(telemetryPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_METRICS_EXPORTER: 'none' })).toEqual({
      enabled: true,
      traces: 'otlp',
      metrics: 'none',
    });
  });

  it('turns everything off with OTEL_SDK_DISABLED=true', () => {
    expect(telemetryPlan({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toEqual({
      enabled: false,
      traces: 'none',
      metrics: 'none',
    });
  });
});

describe('startTelemetry', () => {
  const OTEL_VARIABLES = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'];
  let collector: Server;
  let received: string[];
  let endpoint: string;

  beforeEach(async () => {
    received = [];
    collector = createServer((request, response) => {
      received.push(`${request.method} ${request.url}`);
      request.resume();
      request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    for (const name of OTEL_VARIABLES) delete process.env[name];
  });

  afterEach(async () => {
    for (const name of OTEL_VARIABLES) delete process.env[name];
    // NodeSDK registers process-wide globals that its shutdown leaves in place.
    trace.disable();
    context.disable();
    propagation.disable();
    metrics.disable();
    await new Promise((resolve) => collector.close(resolve));
  });

  it('without an endpoint, gives spans real ids but registers no metric reader and sends nothing', async () => {
    // given no OTLP endpoint
    const telemetry = await startTelemetry({ serviceName: 'ledger', serviceVersion: '0.0.0', hookEsmImports: false });

    // when a span is made and a metric recorded
    const traceId = await withSpan('work', {}, (span) => span.spanContext().traceId);
    counter('credence.test.events', 'events').add(1);
    await telemetry.shutdown();

    // then the span had a trace id (for log correlation), and metrics went to the no-op provider
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceId).not.toBe('0'.repeat(32));
    expect(metrics.getMeterProvider().constructor.name).toBe('NoopMeterProvider');
    expect(received).toEqual([]);
  });

  it('with OTEL_EXPORTER_OTLP_ENDPOINT, exports traces and metrics there over OTLP HTTP', async () => {
    // given an endpoint
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint;
    const telemetry = await startTelemetry({ serviceName: 'ledger', serviceVersion: '0.0.0', hookEsmImports: false });

    // when a span is made and a metric recorded, then telemetry is flushed
    await withSpan('work', {}, () => undefined);
    counter('credence.test.events', 'events').add(1);
    await telemetry.shutdown();

    // then the collector received both
    expect(received).toEqual(expect.arrayContaining(['POST /v1/traces', 'POST /v1/metrics']));
  });

  it('does nothing at all with OTEL_SDK_DISABLED=true', async () => {
    const telemetry = await startTelemetry(
      { serviceName: 'ledger', serviceVersion: '0.0.0', hookEsmImports: false },
      { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
    );
    const traceId = await withSpan('work', {}, (span) => span.spanContext().traceId);
    await telemetry.shutdown();
    expect(traceId).toBe('0'.repeat(32));
    expect(received).toEqual([]);
  });
});
