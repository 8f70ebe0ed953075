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
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { QuoteRequestDto, SimulateDto } from '@credence/contracts';
import { AdminOnly, ApiKeyGuard } from '@credence/platform-auth';
import { ApiBodyFrom, ApiKeyAuth } from '@credence/platform-openapi';
import { GetCatalog } from '../../application/get-catalog/get-catalog.js';
import { LoadCatalog } from '../../application/load-catalog/load-catalog.js';
import { Quote } from '../../application/quote/quote.js';
import { Simulate } from '../../application/simulate/simulate.js';
import { CATALOG_DOCUMENT, PRICED, REFUSED } from './openapi.js';

/** A refusal that names a catalog nobody loaded is a 404; any other is the catalog's answer, a 422. */
function refusal(r: { reason: string; detail?: string }): never {
  if (r.reason === 'UNKNOWN_CATALOG') throw new NotFoundException({ status: 'refused', ...r });
  throw new UnprocessableEntityException({ status: 'refused', ...r });
}

/** Any valid key reads, quotes and simulates; loading a catalog needs an admin key. */
@ApiTags('catalog')
@ApiKeyAuth('Loading a catalog needs an admin key.')
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
  @ApiOperation({ summary: "Load a catalog document as the catalog's next revision (admin)", description: 'Published versions never change: a document that alters a version already in force is refused.' })
  @ApiBodyFrom(CATALOG_DOCUMENT)
  @ApiCreatedResponse({ description: 'Loaded: the catalog id and its new revision.' })
  @ApiBadRequestResponse({ description: 'Not a valid catalog: every path and rule that failed (`invalid_catalog`).' })
  @ApiConflictResponse({ description: 'It would change a price already in force (`retroactive_change`).' })
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

  @ApiOperation({ summary: 'The loaded catalogs and their latest revisions' })
  @ApiOkResponse({ description: 'Every catalog.' })
  @Get('catalogs')
  list() {
    return this.getCatalog.list();
  }

  @ApiOperation({ summary: 'A catalog at its latest revision, with computed pack prices per 1K credits and savings' })
  @ApiParam({ name: 'id', description: 'The catalog id.' })
  @ApiOkResponse({ description: 'The catalog.' })
  @ApiNotFoundResponse({ description: 'No such catalog.' })
  @Get('catalogs/:id')
  async get(@Param('id') id: string) {
    const found = await this.getCatalog.get(id);
    if (!found) throw new NotFoundException({ status: 'refused', reason: 'UNKNOWN_CATALOG', detail: id });
    return found;
  }

  @ApiOperation({ summary: 'Price one usage with the version in force at `at`' })
  @ApiBodyFrom(QuoteRequestDto)
  @ApiOkResponse({ description: 'Priced.', schema: PRICED })
  @ApiNotFoundResponse({ description: 'No such catalog.', schema: REFUSED })
  @ApiUnprocessableEntityResponse({ description: 'Not priceable (unknown model, feature, plan...).', schema: REFUSED })
  @Post('quote') @HttpCode(200)
  async quote(@Body() body: unknown) {
    const r = await this.quoteUsage.execute(body);
    if (r.status === 'invalid') throw new BadRequestException({ error: 'invalid_request', issues: r.issues });
    if (r.status === 'refused') refusal(r);
    return r;
  }

  @ApiOperation({ summary: 'Credits and money per plan for a monthly usage mix, and the cheapest plan-and-packs combination' })
  @ApiBodyFrom(SimulateDto)
  @ApiOkResponse({ description: 'The simulation.' })
  @ApiNotFoundResponse({ description: 'No such catalog.', schema: REFUSED })
  @ApiUnprocessableEntityResponse({ description: 'The mix cannot be priced on this catalog.', schema: REFUSED })
  @Post('simulate') @HttpCode(200)
  async simulate(@Body() body: unknown) {
    const r = await this.simulateMix.execute(body);
    if (r.status === 'invalid') throw new BadRequestException({ error: 'invalid_request', issues: r.issues });
    if (r.status === 'refused') refusal(r);
    return r;
  }
}
