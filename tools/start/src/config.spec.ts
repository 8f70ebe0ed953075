import { childEnv, chooseNats, choosePostgres, natsInstallHint, natsServerArgs, postgresUrl, SERVICE_PORTS } from './config.js';

describe('choosePostgres', () => {
  it('uses DATABASE_URL when it is set', () => {
    expect(choosePostgres({ DATABASE_URL: 'postgres://u:p@db:5432/x' }, '/repo')).toEqual({
      ok: true,
      value: { kind: 'external', url: 'postgres://u:p@db:5432/x' },
    });
  });

  it('otherwise plans an embedded cluster under .data/postgres on port 54329', () => {
    expect(choosePostgres({}, '/repo')).toEqual({
      ok: true,
      value: { kind: 'embedded', dataDir: '/repo/.data/postgres', port: 54329, user: 'credence', password: 'credence', database: 'credence' },
    });
  });

  it('takes the port from CREDENCE_PG_PORT and refuses one that is not a port', () => {
    const plan = choosePostgres({ CREDENCE_PG_PORT: '6000' }, '/repo');
    expect(plan.ok && plan.value.kind === 'embedded' && plan.value.port).toBe(6000);
    for (const bad of ['0', '70000', 'x', '54.3']) {
      expect(choosePostgres({ CREDENCE_PG_PORT: bad }, '/repo')).toMatchObject({ ok: false });
    }
  });

  it('builds the URL the services get', () => {
    expect(postgresUrl({ user: 'credence', password: 'p@ss', port: 54329, database: 'credence' })).toBe(
      'postgres://credence:p%40ss@127.0.0.1:54329/credence',
    );
  });
});

describe('chooseNats', () => {
  it('defaults to nats://127.0.0.1:4222, which a local nats-server can serve', () => {
    expect(chooseNats({}, '/repo')).toEqual({
      ok: true,
      value: { url: 'nats://127.0.0.1:4222', host: '127.0.0.1', port: 4222, canStartLocally: true, storeDir: '/repo/.data/nats' },
    });
  });

  it('reads host and port from NATS_URL, and only starts a server for loopback hosts', () => {
    expect(chooseNats({ NATS_URL: 'nats://localhost:5222' }, '/r')).toMatchObject({ ok: true, value: { port: 5222, canStartLocally: true } });
    expect(chooseNats({ NATS_URL: 'nats://broker.internal' }, '/r')).toMatchObject({
      ok: true,
      value: { host: 'broker.internal', port: 4222, canStartLocally: false },
    });
    expect(chooseNats({ NATS_URL: '127.0.0.1:4333' }, '/r')).toMatchObject({ ok: true, value: { url: '127.0.0.1:4333', port: 4333 } });
  });

  it('starts nats-server with JetStream on loopback and its store under .data/nats', () => {
    expect(natsServerArgs(4222, '/repo/.data/nats')).toEqual(['-js', '-a', '127.0.0.1', '-p', '4222', '-sd', '/repo/.data/nats']);
  });

  it('says exactly what to install when there is no nats-server', () => {
    expect(natsInstallHint('linux', 'nats://127.0.0.1:4222')).toContain('apt-get install nats-server');
    expect(natsInstallHint('darwin', 'nats://127.0.0.1:4222')).toContain('brew install nats-server');
    expect(natsInstallHint('linux', 'nats://127.0.0.1:4222')).toContain('NATS >= 2.10 server with JetStream');
  });
});

describe('childEnv', () => {
  it('passes the environment through with DATABASE_URL, NATS_URL and the service port', () => {
    // given a launcher environment that has its own PORT and DATABASE_URL unset
    const env = childEnv({ PATH: '/bin', PORT: '9999', LOG_LEVEL: 'debug', UNSET: undefined }, 'ledger', 'postgres://x', 'nats://y');

    // then the child gets the resolved URLs and its own port
    expect(env).toEqual({ PATH: '/bin', LOG_LEVEL: 'debug', PORT: '3001', DATABASE_URL: 'postgres://x', NATS_URL: 'nats://y' });
  });

  it('gives every service its own port', () => {
    expect(SERVICE_PORTS).toEqual({ ledger: 3001, catalog: 3002, metering: 3003, recharge: 3004, notifier: 3005 });
    expect(childEnv({}, 'notifier', 'd', 'n').PORT).toBe('3005');
  });
});
