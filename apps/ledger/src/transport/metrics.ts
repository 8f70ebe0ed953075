import { counter, histogram } from '@credence/platform-observability';

/**
 * The ledger's own instruments: throughput, lag and latency. Created lazily, after telemetry has
 * started (an instrument made before the SDK is a no-op forever). Exported over OTLP when an
 * endpoint is configured (see libs/platform/observability).
 */
let instruments: ReturnType<typeof create> | undefined;

function create() {
  return {
    commands: counter('ledger.commands', 'Commands taken from the command stream, by outcome (applied, rejected)'),
    batchDuration: histogram('ledger.batch.duration', 'Time to apply one batch of commands, commit included', 'ms'),
    batchSize: histogram('ledger.batch.size', 'Commands per applied batch', '1'),
    holdDuration: histogram('ledger.hold.duration', 'Time from a hold request taken to its answer (group commit included)', 'ms'),
    holds: counter('ledger.holds', 'Hold requests answered, by status (approved, refused, invalid)'),
    published: counter('ledger.outbox.published', 'Events published on the LEDGER stream by the outbox relay'),
  };
}

export function ledgerMetrics() {
  return (instruments ??= create());
}
