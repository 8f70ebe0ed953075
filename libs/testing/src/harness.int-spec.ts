import pg from 'pg';
import { createTestSchema } from './schema.js';
import { spawnProcess, stopAll } from './process.js';
import { waitFor } from './wait-for.js';

// A tiny service: says it is ready (only once its SIGTERM handler is in place), then ticks until killed.
const TICKER = `
process.on('SIGTERM', () => { console.log('stopping'); process.exit(0); });
let n = 0;
setInterval(() => console.log('tick ' + (++n)), 20);
console.log('ready pid=' + process.pid);
`;

afterAll(() => stopAll());

describe('spawnProcess', () => {
  it('waits for the ready line, captures output, and dies on SIGKILL like a crash', async () => {
    // Given a process that prints a ready line
    const proc = await spawnProcess({ command: process.execPath, args: ['-e', TICKER], readyLine: /^ready pid=\d+$/, readyTimeoutMs: 10_000 });
    expect(proc.stdout[0]).toBe(`ready pid=${proc.pid}`);

    // When it has ticked a few times and is then killed with SIGKILL
    await proc.waitForLine(/^tick 3$/, 5_000);
    const exit = await proc.kill('SIGKILL');

    // Then it ended by the signal, without running its SIGTERM handler
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(proc.lines).not.toContain('stopping');
    expect(proc.exit).toEqual(exit);
  });

  it('rejects waitForLine when the process ends first, quoting its output', async () => {
    const proc = await spawnProcess({ command: process.execPath, args: ['-e', "console.error('boom'); process.exit(3)"] });
    await expect(proc.waitForLine(/never/, 5_000)).rejects.toThrow(/exit code 3[\s\S]*boom/);
  });

  it('rejects waitForLine on timeout', async () => {
    const proc = await spawnProcess({ command: process.execPath, args: ['-e', TICKER], readyLine: /^ready/ });
    await expect(proc.waitForLine(/never/, 100)).rejects.toThrow(/within 100 ms/);
    await proc.kill('SIGKILL');
  });

  it('waits only for new lines when asked from the current end', async () => {
    const proc = await spawnProcess({ command: process.execPath, args: ['-e', TICKER], readyLine: /^ready/ });
    await proc.waitForLine(/^tick 2$/, 5_000);
    const from = proc.lines.length;
    const line = await proc.waitForLine(/^tick \d+$/, 5_000, { from });
    expect(Number(line.split(' ')[1])).toBeGreaterThanOrEqual(3);
    await proc.kill('SIGKILL');
  });

  it('stopAll sends SIGTERM to what is still running', async () => {
    const proc = await spawnProcess({ command: process.execPath, args: ['-e', TICKER], readyLine: /^ready/ });
    await stopAll();
    expect(proc.exit).toEqual({ code: 0, signal: null });
    expect(proc.lines).toContain('stopping');
  });

  it('a failed readiness kills the process and says why', async () => {
    await expect(
      spawnProcess({ command: process.execPath, args: ['-e', TICKER], readyLine: /^never$/, readyTimeoutMs: 200 }),
    ).rejects.toThrow(/within 200 ms[\s\S]*ready pid=/);
  });
});

describe('createTestSchema', () => {
  it('creates an empty schema and drops it with its contents', async () => {
    const { schema, connectionString, drop } = await createTestSchema('harness');
    const client = new pg.Client({ connectionString });
    await client.connect();
    try {
      const exists = async () =>
        (await client.query('select 1 from pg_namespace where nspname = $1', [schema])).rowCount === 1;
      expect(await exists()).toBe(true);
      await client.query(`create table ${schema}.t (id int)`);
      await drop();
      await waitFor(async () => !(await exists()), { what: `schema ${schema} to be gone`, timeoutMs: 1_000 });
      await drop();
    } finally {
      await client.end();
    }
  });
});
