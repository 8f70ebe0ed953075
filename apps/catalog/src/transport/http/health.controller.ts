import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { sql, type Kysely } from 'kysely';
import type { CatalogDatabase } from '@credence/catalog-data-access';
import { DB } from '../../catalog.tokens.js';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(@Inject(DB) private readonly db: Kysely<CatalogDatabase>) {}

  /** Ready when Postgres answers: catalogs not yet cached are read from it. */
  @ApiOkResponse({ description: 'Ready.', schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } } })
  @Get('health')
  async health() {
    await sql`select 1`.execute(this.db);
    return { status: 'ok' };
  }
}
