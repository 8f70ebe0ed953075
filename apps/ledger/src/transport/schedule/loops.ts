import type pg from 'pg';

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
