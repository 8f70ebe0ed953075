import { connect } from '@nats-io/transport-node';
import type { ConnectionOptions, NatsConnection } from '@nats-io/nats-core';

export type NatsConnectionOptions = {
  readonly servers: readonly string[];
  /** Shown by the server's monitoring endpoints: name the service and its instance. */
  readonly name: string;
  readonly reconnectTimeWaitMs: number;
  readonly pingIntervalMs: number;
  /** A stale connection is declared after this many unanswered pings. */
  readonly maxPingOut: number;
  readonly connectTimeoutMs: number;
};

export const NATS_CONNECTION_DEFAULTS = {
  servers: ['nats://127.0.0.1:4222'],
  reconnectTimeWaitMs: 1_000,
  pingIntervalMs: 10_000,
  maxPingOut: 3,
  connectTimeoutMs: 5_000,
} as const satisfies Omit<NatsConnectionOptions, 'name'>;

export type NatsConnectionInput = Partial<NatsConnectionOptions> & { readonly name: string };

/** The exact client settings `connectNats` uses; pure so the defaults can be checked without a server. */
export function natsClientSettings(input: NatsConnectionInput): ConnectionOptions {
  const o = { ...NATS_CONNECTION_DEFAULTS, ...input };
  return {
    servers: [...o.servers],
    name: o.name,
    // A service never gives up on its broker: it keeps retrying and reports readiness instead.
    maxReconnectAttempts: -1,
    reconnect: true,
    reconnectTimeWait: o.reconnectTimeWaitMs,
    pingInterval: o.pingIntervalMs,
    maxPingOut: o.maxPingOut,
    timeout: o.connectTimeoutMs,
    // The client otherwise builds an Error (a stack trace) for every request and JetStream
    // publish, in case it times out: measured at a third of the CPU of a publishing loop.
    noAsyncTraces: true,
  };
}

/** Connects once; a first connection that fails within `connectTimeoutMs` rejects so startup fails loudly. */
export function connectNats(input: NatsConnectionInput): Promise<NatsConnection> {
  return connect(natsClientSettings(input));
}
