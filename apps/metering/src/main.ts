import { startTelemetry } from '@credence/platform-observability';

// Telemetry first: http and pg must be loaded after the SDK has hooked them.
await startTelemetry({ serviceName: 'credence-metering', serviceVersion: '0.1.0' });
await import('./bootstrap.js');
