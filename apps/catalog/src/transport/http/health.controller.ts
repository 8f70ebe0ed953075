import { Controller, Get, Inject } from '@nestjs/common';
import { sql, type Kysely } from 'kysely';
import type { CatalogDatabase } from '@credence/catalog-data-access';
import { DB } from '../../catalog.tokens.js';

@Controller()
export class HealthController {
  constructor(@Inject(DB) private readonly db: Kysely<CatalogDatabase>) {}

  /** Ready when Postgres answers: catalogs not yet cached are read from it. */
  @Get('health')
  async health() {
    await sql`select 1`.execute(this.db);
    return { status: 'ok' };
  }
}
