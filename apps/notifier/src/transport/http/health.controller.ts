import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { sql, type Kysely } from 'kysely';
import type { NotifierDatabase } from '@credence/notifier-data-access';
import { DB } from '../../notifier.tokens.js';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(@Inject(DB) private readonly db: Kysely<NotifierDatabase>) {}

  /** Ready when Postgres answers; receivers and the SMTP server are the deliveries' business, not readiness. */
  @ApiOkResponse({ description: 'Ready.', schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } } })
  @Get('health')
  async health() {
    await sql`select 1`.execute(this.db);
    return { status: 'ok' };
  }
}
