import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type pg from 'pg';
import { POOL } from '../../ledger.tokens.js';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(@Inject(POOL) private readonly pool: pg.Pool) {}

  /** Ready when Postgres answers: the ledger can do nothing without it. */
  @ApiOkResponse({ description: 'Ready.', schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } } })
  @Get('health')
  async health() {
    await this.pool.query('select 1');
    return { status: 'ok' };
  }
}
