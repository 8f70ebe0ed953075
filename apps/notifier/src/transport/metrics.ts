import { counter, histogram } from '@credence/platform-observability';

let instruments: ReturnType<typeof create> | undefined;

const create = () => ({
  settled: counter('notifier.deliveries.settled', 'Delivery attempts recorded, by channel and resulting status (delivered, pending = retry, dead)'),
  attemptMs: histogram('notifier.attempt.duration', 'One delivery attempt: send and record', 'ms'),
});

/** Created on first use, after telemetry has started (instruments made before it are no-ops). */
export function notifierMetrics(): ReturnType<typeof create> {
  instruments ??= create();
  return instruments;
}
