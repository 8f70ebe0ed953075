import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { sql, type Kysely } from 'kysely';
import type { RechargeDatabase } from '@credence/recharge-data-access';
import { DB } from '../../recharge.tokens.js';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(@Inject(DB) private readonly db: Kysely<RechargeDatabase>) {}

  /** Ready when Postgres answers; the ledger, metering, the catalog and the gateway are checked per call, with timeouts. */
  @ApiOkResponse({ description: 'Ready.', schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } } })
  @Get('health')
  async health() {
    await sql`select 1`.execute(this.db);
    return { status: 'ok' };
  }
}
