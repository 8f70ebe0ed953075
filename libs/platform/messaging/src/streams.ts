import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';

/** Storage is always file and retention always limits: the platform's streams are replayable logs. */
export type StreamSpec = {
  readonly name: string;
  readonly subjects: readonly string[];
  readonly maxAgeMs: number;
  /** How long a `Nats-Msg-Id` is remembered for de-duplication. */
  readonly duplicateWindowMs: number;
  readonly maxBytes: number;
  readonly maxMsgSize: number;
  /** `new` refuses publishes when full (nothing silently lost); `old` drops the oldest. */
  readonly discard: 'old' | 'new';
  /** -1 leaves the count unbounded; bytes and age still bound the stream. */
  readonly maxMsgs?: number;
  readonly replicas?: number;
};

export function streamConfig(spec: StreamSpec): StreamConfig {
  return {
    name: spec.name,
    subjects: [...spec.subjects],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_age: nanos(spec.maxAgeMs),
    duplicate_window: nanos(spec.duplicateWindowMs),
    max_bytes: spec.maxBytes,
    max_msg_size: spec.maxMsgSize,
    max_msgs: spec.maxMsgs ?? -1,
    max_msgs_per_subject: -1,
    max_consumers: -1,
    discard: spec.discard === 'new' ? DiscardPolicy.New : DiscardPolicy.Old,
    num_replicas: spec.replicas ?? 1,
  } as StreamConfig;
}

export function isJetStreamApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

/** Creates the stream, or updates it in place; changes the server refuses (e.g. storage) reject. */
export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec): Promise<StreamInfo> {
  const config = streamConfig(spec);
  try {
    await jsm.streams.info(spec.name);
  } catch (error) {
    if (!isJetStreamApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
    return jsm.streams.add(config);
  }
  return jsm.streams.update(spec.name, config);
}
