import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { sql, type Kysely } from 'kysely';
import type { MeteringDatabase } from '@credence/metering-data-access';
import { DB } from '../../metering.tokens.js';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(@Inject(DB) private readonly db: Kysely<MeteringDatabase>) {}

  /** Ready when Postgres answers; the ledger and the catalog are checked per request, with timeouts. */
  @ApiOkResponse({ description: 'Ready.', schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } } })
  @Get('health')
  async health() {
    await sql`select 1`.execute(this.db);
    return { status: 'ok' };
  }
}
