import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Inject, NotFoundException, Param, Post, Query, UnprocessableEntityException, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { AccountQueryDto, EmailRecipientDto, WebhookEndpointDto } from '@credence/contracts';
import { ApiKeyGuard, assertBodyAccess, assertCanAccess, canAccess, CurrentPrincipal, type Principal } from '@credence/platform-auth';
import { ApiBodyFrom, ApiKeyAuth, ApiQueryFrom } from '@credence/platform-openapi';
import { validOrBadRequest } from '@credence/platform-runtime';
import { Targets, type Created } from '../../application/targets/targets.js';
import { EMAIL_RECIPIENT, REFUSED, WEBHOOK_CREATED, WEBHOOK_ENDPOINT } from './openapi.js';

function created<T>(r: Created<T>): T {
  switch (r.status) {
    case 'created':
      return r.value;
    case 'invalid':
      throw new BadRequestException({ error: 'invalid_request', issues: r.issues });
    case 'refused':
      throw new UnprocessableEntityException(r);
  }
}

const notFound = (id: string) => new NotFoundException({ error: 'not_found', id });

/** A key covering the account manages its endpoints and recipients; another account's answer like missing ones. */
@ApiTags('webhooks and e-mail recipients')
@ApiKeyAuth()
@Controller('api/notifications')
@UseGuards(ApiKeyGuard)
export class TargetsController {
  constructor(@Inject(Targets) private readonly targets: Targets) {}

  @ApiOperation({
    summary: 'Add a webhook endpoint',
    description: 'The answer holds the signing secret (`whsec_...`): the only time it is shown. Every notification of the chosen kinds is POSTed there, signed with it.',
  })
  @ApiBodyFrom(WebhookEndpointDto)
  @ApiCreatedResponse({ description: 'The endpoint and its secret.', schema: WEBHOOK_CREATED })
  @ApiUnprocessableEntityResponse({ description: 'The account has 20 endpoints and recipients already.', schema: REFUSED })
  @Post('webhooks') @HttpCode(201)
  async createWebhook(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    assertBodyAccess(p, body);
    return created(await this.targets.createWebhook(body));
  }

  @ApiOperation({ summary: "An account's webhook endpoints (never their secrets)" })
  @ApiQueryFrom(AccountQueryDto)
  @ApiOkResponse({ schema: { type: 'object', required: ['webhooks'], properties: { webhooks: { type: 'array', items: WEBHOOK_ENDPOINT } } } })
  @Get('webhooks')
  async webhooks(@CurrentPrincipal() p: Principal, @Query() query: unknown) {
    const q = validOrBadRequest(AccountQueryDto, query);
    assertCanAccess(p, q.accountId);
    return { webhooks: await this.targets.webhooks(q.accountId) };
  }

  @ApiOperation({ summary: 'Delete a webhook endpoint', description: 'What was still to be delivered to it is cancelled; its deliveries stay in the log.' })
  @ApiParam({ name: 'id', description: 'The endpoint id (`wh_...`).' })
  @ApiOkResponse({ description: 'The deleted endpoint.', schema: WEBHOOK_ENDPOINT })
  @ApiNotFoundResponse({ description: 'No such endpoint (or one of an account the key does not cover).' })
  @Delete('webhooks/:id') @HttpCode(200)
  async deleteWebhook(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    const owner = await this.targets.ownerOf('webhook', id);
    if (owner === undefined || !canAccess(p, owner)) throw notFound(id);
    return (await this.targets.deleteWebhook(id)) ?? notFound(id);
  }

  @ApiOperation({ summary: 'Add an e-mail recipient' })
  @ApiBodyFrom(EmailRecipientDto)
  @ApiCreatedResponse({ description: 'The recipient.', schema: EMAIL_RECIPIENT })
  @ApiUnprocessableEntityResponse({ description: 'The account has 20 endpoints and recipients already.', schema: REFUSED })
  @Post('emails') @HttpCode(201)
  async createEmail(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    assertBodyAccess(p, body);
    return created(await this.targets.createEmail(body));
  }

  @ApiOperation({ summary: "An account's e-mail recipients" })
  @ApiQueryFrom(AccountQueryDto)
  @ApiOkResponse({ schema: { type: 'object', required: ['emails'], properties: { emails: { type: 'array', items: EMAIL_RECIPIENT } } } })
  @Get('emails')
  async emails(@CurrentPrincipal() p: Principal, @Query() query: unknown) {
    const q = validOrBadRequest(AccountQueryDto, query);
    assertCanAccess(p, q.accountId);
    return { emails: await this.targets.emails(q.accountId) };
  }

  @ApiOperation({ summary: 'Delete an e-mail recipient', description: 'What was still to be sent to it is cancelled.' })
  @ApiParam({ name: 'id', description: 'The recipient id (`em_...`).' })
  @ApiOkResponse({ description: 'The deleted recipient.', schema: EMAIL_RECIPIENT })
  @ApiNotFoundResponse({ description: 'No such recipient (or one of an account the key does not cover).' })
  @Delete('emails/:id') @HttpCode(200)
  async deleteEmail(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    const owner = await this.targets.ownerOf('email', id);
    if (owner === undefined || !canAccess(p, owner)) throw notFound(id);
    return (await this.targets.deleteEmail(id)) ?? notFound(id);
  }
}
