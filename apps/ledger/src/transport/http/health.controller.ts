import { Controller, Get, Inject } from '@nestjs/common';
import type pg from 'pg';
import { POOL } from '../../ledger.tokens.js';

@Controller()
export class HealthController {
  constructor(@Inject(POOL) private readonly pool: pg.Pool) {}

  /** Ready when Postgres answers: the ledger can do nothing without it. */
  @Get('health')
  async health() {
    await this.pool.query('select 1');
    return { status: 'ok' };
  }
}
