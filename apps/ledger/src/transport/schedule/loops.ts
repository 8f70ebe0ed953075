import type pg from 'pg';

export interface LoopOptions {
  readonly name: string;
  /** Pause after a pass that found nothing to do. */
  readonly idleMs: number;
  /** Pause after a failed pass, so a broken dependency is not hammered. */
  readonly errorMs: number;
  readonly onError: (name: string, error: unknown) => void;
}

/**
 * Runs `pass` again and again: immediately while it finds work (returns > 0), after `idleMs`
 * when it does not. Stops between passes; `stop()` resolves when the current pass is done.
 */
export class Loop {
  private stopped = false;
  private wake: (() => void) | undefined;
  private done: Promise<void> | undefined;

  constructor(
    private readonly pass: () => Promise<number>,
    private readonly options: LoopOptions,
  ) {}

  start(): void {
    this.done ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.done;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let pause = 0;
      try {
        if ((await this.pass()) === 0) pause = this.options.idleMs;
      } catch (error) {
        this.options.onError(this.options.name, error);
        pause = this.options.errorMs;
      }
      if (pause > 0 && !this.stopped) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pause);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }
}

/**
 * Leadership through a Postgres session advisory lock held on a dedicated connection: while it
 * is held, this process is the only one running the guarded work. If the connection dies the
 * lock goes with it and another replica takes over on its next try.
 */
export class AdvisoryLeader {
  private client: pg.PoolClient | undefined;

  /** Advisory locks are per database: the key pairs a constant with the schema the pool works in. */
  constructor(
    private readonly pool: pg.Pool,
    private readonly lockKey: number,
  ) {}

  /** True when this process holds (or just took) the lock. */
  async isLeader(): Promise<boolean> {
    if (this.client) return true;
    const client = await this.pool.connect();
    try {
      const r = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1, hashtext(current_schema())) as locked', [this.lockKey]);
      if (r.rows[0]?.locked) {
        client.on('error', () => this.lose());
        this.client = client;
        return true;
      }
    } catch (error) {
      client.release(true);
      throw error;
    }
    client.release();
    return false;
  }

  async release(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    await client.query('select pg_advisory_unlock($1, hashtext(current_schema()))', [this.lockKey]).catch(() => undefined);
    client.release();
  }

  private lose(): void {
    const client = this.client;
    this.client = undefined;
    client?.release(true);
  }
}
