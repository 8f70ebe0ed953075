import { AckPolicy, DeliverPolicy, JetStreamApiCodes, ReplayPolicy, type ConsumerConfig, type ConsumerInfo, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { assert } from '@credence/kernel';
import { isJetStreamApiError } from './streams.js';

/** A durable pull consumer: deliver all, explicit acks, one filter subject (the server is 2.9). */
export type DurableConsumerSpec = {
  readonly durable: string;
  readonly filterSubject: string;
  /** Ignored by the server when `backoffMs` is set: the first backoff step then acts as the ack wait. */
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
  /** Redelivery delays after an ack wait expires; must be shorter than `maxDeliver`. */
  readonly backoffMs: readonly number[];
  /** Also bounds how many messages a BatchConsumer may hold unacknowledged at once. */
  readonly maxAckPending: number;
  /** Pull requests the server keeps waiting at once. */
  readonly maxWaiting?: number;
};

export function durableConsumerConfig(spec: DurableConsumerSpec): ConsumerConfig {
  assert(
    spec.backoffMs.length === 0 || spec.maxDeliver === -1 || spec.maxDeliver > spec.backoffMs.length,
    `consumer ${spec.durable}: maxDeliver must exceed the number of backoff steps`,
  );
  const config: Partial<ConsumerConfig> = {
    durable_name: spec.durable,
    // '' means every subject of the stream: sent as no filter at all, since the client would
    // otherwise put an empty token in the create subject and the server would not answer.
    ...(spec.filterSubject === '' ? {} : { filter_subject: spec.filterSubject }),
    deliver_policy: DeliverPolicy.All,
    ack_policy: AckPolicy.Explicit,
    replay_policy: ReplayPolicy.Instant,
    ack_wait: nanos(spec.ackWaitMs),
    max_deliver: spec.maxDeliver,
    max_ack_pending: spec.maxAckPending,
    max_waiting: spec.maxWaiting ?? 512,
    // Always sent, even empty: an update merges into the stored config and must be able to clear it.
    backoff: spec.backoffMs.map((ms) => nanos(ms)),
  };
  return config as ConsumerConfig;
}

/** Creates the durable consumer, or updates it in place; changes the server refuses reject. */
export async function ensureDurableConsumer(jsm: JetStreamManager, stream: string, spec: DurableConsumerSpec): Promise<ConsumerInfo> {
  const config = durableConsumerConfig(spec);
  try {
    await jsm.consumers.info(stream, spec.durable);
  } catch (error) {
    if (!isJetStreamApiError(error, JetStreamApiCodes.ConsumerNotFound)) throw error;
    return jsm.consumers.add(stream, config);
  }
  return jsm.consumers.update(stream, spec.durable, config);
}
