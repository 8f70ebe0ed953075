import { ConflictException, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { DeliveriesQueryDto } from '@credence/contracts';
import { ApiKeyGuard, assertCanAccess, canAccess, CurrentPrincipal, type Principal } from '@credence/platform-auth';
import { ApiKeyAuth, ApiQueryFrom } from '@credence/platform-openapi';
import { Deliveries } from '../../application/deliveries/deliveries.js';
import { DELIVERY } from './openapi.js';
import { validOrBadRequest } from '@credence/platform-runtime';

/** The delivery log of an account, with every attempt, and a second chance for dead letters. */
@ApiTags('deliveries')
@ApiKeyAuth()
@Controller('api/notifications/deliveries')
@UseGuards(ApiKeyGuard)
export class DeliveriesController {
  constructor(@Inject(Deliveries) private readonly deliveries: Deliveries) {}

  @ApiOperation({ summary: 'The delivery log, newest first', description: 'One entry per notification and endpoint or recipient, with all its attempts. Page with `cursor` = the previous `nextCursor`.' })
  @ApiQueryFrom(DeliveriesQueryDto)
  @ApiOkResponse({
    schema: {
      type: 'object',
      required: ['deliveries', 'nextCursor'],
      properties: { deliveries: { type: 'array', items: DELIVERY }, nextCursor: { type: 'string', nullable: true, description: 'null on the last page' } },
    },
  })
  @Get()
  list(@CurrentPrincipal() p: Principal, @Query() query: unknown) {
    const q = validOrBadRequest(DeliveriesQueryDto, query);
    assertCanAccess(p, q.accountId);
    return this.deliveries.list(q);
  }

  @ApiOperation({ summary: 'Retry a dead-lettered delivery', description: 'It is due at once, with a new give-up time (DELIVERY_MAX_AGE_MS from now); its attempts keep counting.' })
  @ApiParam({ name: 'id', description: 'The delivery id.' })
  @ApiOkResponse({ description: 'The delivery, pending again.', schema: DELIVERY })
  @ApiNotFoundResponse({ description: 'No such delivery (or one of an account the key does not cover).' })
  @ApiConflictResponse({ description: 'The delivery is not dead (pending, delivered or cancelled): `{ error: "not_dead", delivery }`.' })
  @Post(':id/retry') @HttpCode(200)
  async retry(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    const owner = await this.deliveries.accountOf(id);
    if (owner === undefined || !canAccess(p, owner)) throw new NotFoundException({ error: 'not_found', id });
    const r = await this.deliveries.retry(id);
    switch (r.status) {
      case 'retried':
        return r.delivery;
      case 'not_dead':
        throw new ConflictException({ error: 'not_dead', delivery: r.delivery });
      case 'not_found':
        throw new NotFoundException({ error: 'not_found', id });
    }
  }
}
