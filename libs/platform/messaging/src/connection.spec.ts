import { NATS_CONNECTION_DEFAULTS, natsClientSettings } from './connection.js';

describe('natsClientSettings', () => {
  it('given only a name, then every limit is explicit and reconnection is unbounded', () => {
    expect(natsClientSettings({ name: 'ledger-1' })).toEqual({
      servers: ['nats://127.0.0.1:4222'],
      name: 'ledger-1',
      maxReconnectAttempts: -1,
      reconnect: true,
      reconnectTimeWait: NATS_CONNECTION_DEFAULTS.reconnectTimeWaitMs,
      pingInterval: NATS_CONNECTION_DEFAULTS.pingIntervalMs,
      maxPingOut: NATS_CONNECTION_DEFAULTS.maxPingOut,
      timeout: NATS_CONNECTION_DEFAULTS.connectTimeoutMs,
      noAsyncTraces: true,
    });
  });

  it('given overrides, then they replace the defaults', () => {
    const settings = natsClientSettings({ name: 'x', servers: ['nats://a:4222', 'nats://b:4222'], reconnectTimeWaitMs: 250, connectTimeoutMs: 900 });

    expect(settings).toMatchObject({ servers: ['nats://a:4222', 'nats://b:4222'], reconnectTimeWait: 250, timeout: 900, maxReconnectAttempts: -1 });
  });
});
