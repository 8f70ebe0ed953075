import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  UnprocessableEntityException,
  UseGuards,
} from '@nestjs/common';
import { AdminOnly, ApiKeyGuard } from '@credence/platform-auth';
import { GetCatalog } from '../../application/get-catalog/get-catalog.js';
import { LoadCatalog } from '../../application/load-catalog/load-catalog.js';
import { Quote } from '../../application/quote/quote.js';
import { Simulate } from '../../application/simulate/simulate.js';

/** A refusal that names a catalog nobody loaded is a 404; any other is the catalog's answer, a 422. */
function refusal(r: { reason: string; detail?: string }): never {
  if (r.reason === 'UNKNOWN_CATALOG') throw new NotFoundException({ status: 'refused', ...r });
  throw new UnprocessableEntityException({ status: 'refused', ...r });
}

/** Any valid key reads, quotes and simulates; loading a catalog needs an admin key. */
@Controller('api/catalog')
@UseGuards(ApiKeyGuard)
export class CatalogController {
  constructor(
    @Inject(LoadCatalog) private readonly loadCatalog: LoadCatalog,
    @Inject(GetCatalog) private readonly getCatalog: GetCatalog,
    @Inject(Quote) private readonly quoteUsage: Quote,
    @Inject(Simulate) private readonly simulateMix: Simulate,
  ) {}

  /** The body is a catalog document; stored as the catalog's next revision. */
  @Post('catalogs') @HttpCode(201) @AdminOnly()
  async load(@Body() body: unknown) {
    const r = await this.loadCatalog.execute(body);
    switch (r.status) {
      case 'invalid':
        throw new BadRequestException({ error: 'invalid_catalog', issues: r.issues });
      case 'retroactive':
        throw new ConflictException({ error: 'retroactive_change', issues: r.issues });
      case 'loaded':
        return r;
    }
  }

  @Get('catalogs')
  list() {
    return this.getCatalog.list();
  }

  @Get('catalogs/:id')
  async get(@Param('id') id: string) {
    const found = await this.getCatalog.get(id);
    if (!found) throw new NotFoundException({ status: 'refused', reason: 'UNKNOWN_CATALOG', detail: id });
    return found;
  }

  @Post('quote') @HttpCode(200)
  async quote(@Body() body: unknown) {
    const r = await this.quoteUsage.execute(body);
    if (r.status === 'invalid') throw new BadRequestException({ error: 'invalid_request', issues: r.issues });
    if (r.status === 'refused') refusal(r);
    return r;
  }

  @Post('simulate') @HttpCode(200)
  async simulate(@Body() body: unknown) {
    const r = await this.simulateMix.execute(body);
    if (r.status === 'invalid') throw new BadRequestException({ error: 'invalid_request', issues: r.issues });
    if (r.status === 'refused') refusal(r);
    return r;
  }
}
