import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { postgresUrl, type EmbeddedPostgresPlan } from './config.js';
import { freePort } from '@credence/testing';
import { discard } from './test-support.js';
import { startEmbeddedPostgres } from './postgres.js';

async function selectOne(url: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('select 1 as one, current_database() as db')).rows[0];
  } finally {
    await client.end();
  }
}

async function refusesConnections(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
  return client.connect().then(
    async () => (await client.end(), false),
    () => true,
  );
}

describe('startEmbeddedPostgres', () => {
  let parent: string;
  let plan: EmbeddedPostgresPlan;

  beforeEach(async () => {
    parent = mkdtempSync(join(tmpdir(), 'credence-pg-'));
    // mkdtemp makes a 0700 directory; as root, Postgres runs as the postgres user, who must get through it.
    chmodSync(parent, 0o755);
    plan = {
      kind: 'embedded',
      dataDir: join(parent, 'postgres'),
      port: await freePort(),
      user: 'credence',
      password: 'credence',
      database: 'credence',
    };
  });

  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  it('initialises a cluster once, serves the credence database, stops, and starts again on the same data', async () => {
    // when started for the first time
    const first = await startEmbeddedPostgres(plan, { output: discard() });
    if (!first.ok) throw new Error(first.message);

    // then it answers on the planned URL, in a database it created
    expect(first.value.url).toBe(postgresUrl(plan));
    expect(first.value.startedByUs).toBe(true);
    await expect(selectOne(first.value.url)).resolves.toEqual({ one: 1, db: 'credence' });
    if (process.getuid?.() === 0) {
      // and, as root, the data belongs to the postgres user Postgres runs as
      const postgresUid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
      expect(statSync(plan.dataDir).uid).toBe(postgresUid);
    }

    // when stopped, then it no longer answers
    await first.value.stop();
    await expect(refusesConnections(first.value.url)).resolves.toBe(true);

    // when started again, it reuses the initialised data directory
    const second = await startEmbeddedPostgres(plan, { output: discard() });
    if (!second.ok) throw new Error(second.message);
    await expect(selectOne(second.value.url)).resolves.toEqual({ one: 1, db: 'credence' });
    await second.value.stop();
  }, 30_000);

  it('refuses, with the reason, a data directory the postgres user cannot reach', async () => {
    if (process.getuid?.() !== 0) return; // only root hands Postgres over to another user
    chmodSync(parent, 0o700);
    const started = await startEmbeddedPostgres(plan, { output: discard() });
    expect(started).toMatchObject({ ok: false });
    expect(!started.ok && started.message).toContain(`cannot enter ${parent}`);
  });
});
