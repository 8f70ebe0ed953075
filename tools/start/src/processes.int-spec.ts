import { spawnManaged } from './processes.js';
import { PassThrough } from 'node:stream';

describe('spawnManaged', () => {
  it('prefixes each output line with the process name', async () => {
    // given a child that prints two lines
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
    const child = spawnManaged('ledger', process.execPath, ['-e', 'console.log("one\\ntwo")'], { stdout: out });

    // when it exits
    await expect(child.exited).resolves.toEqual({ code: 0, signal: null });
    await new Promise((resolve) => setImmediate(resolve));

    // then both lines are prefixed
    expect(chunks.join('')).toBe('[ledger] one\n[ledger] two\n');
  });

  it('kills a process that ignores SIGTERM once the grace period is over', async () => {
    // given a child that ignores SIGTERM
    const child = spawnManaged('stubborn', process.execPath, [
      '-e',
      'process.on("SIGTERM", () => {}); console.log("ready"); setInterval(() => {}, 1000)',
    ], { stdout: new PassThrough().resume() });
    await new Promise((resolve) => child.child.stdout?.once('data', resolve));

    // when stopped with a short grace
    const startedAt = Date.now();
    const exit = await child.stop(300);

    // then SIGKILL ended it after the grace period
    expect(exit.signal).toBe('SIGKILL');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(300);
    expect(child.hasExited()).toBe(true);
  });

  it('stops a cooperative process with SIGTERM alone', async () => {
    const child = spawnManaged('calm', process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(child.stop(5_000)).resolves.toEqual({ code: null, signal: 'SIGTERM' });
  });
});
