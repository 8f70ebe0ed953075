import {
  Body,
  Controller,
  HttpCode,
  HttpException,
  Inject,
  Get,
  Param,
  Post,
  Put,
  UseGuards,
} from '@nestjs/common';
import { AdminOnly, ApiKeyGuard, assertBodyAccess, assertCanAccess, canAccess, CurrentPrincipal, type Principal } from '@credence/platform-auth';
import { failWith } from '@credence/platform-runtime';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiServiceUnavailableResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { MeteringQueries } from '@credence/metering-data-access';
import {
  AuthorizeDto,
  LimitOverridesDto,
  RefundDto,
  SettleDto,
  SubscriptionDto,
  type AuthorizeReply,
  type SettleReply,
  type UsageReply,
} from '@credence/contracts';
import { ApiBodyFrom, ApiKeyAuth } from '@credence/platform-openapi';
import { Accounts, type AccountReply } from '../../application/accounts/accounts.js';
import { Authorize } from '../../application/authorize/authorize.js';
import { RecordUsage } from '../../application/record-usage/record-usage.js';
import { Refund } from '../../application/refund/refund.js';
import { Settle } from '../../application/settle/settle.js';
import { AUTHORIZE_APPROVED, REFUSED, SETTLED, SUBSCRIBED, SUBSCRIPTION, USAGE_ANSWER, USAGE_BODY } from './openapi.js';

const UNAVAILABLE = 'The catalog or the ledger did not answer in time: nothing was recorded, retry with the same key.';

const saved = <T>(r: AccountReply<T>): T => (r.status === 'saved' ? r.value : failWith(r));

/** Workload routes need a key covering the body's account; account settings need an admin key. */
@ApiTags('metering')
@ApiKeyAuth()
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class MeteringController {
  constructor(
    @Inject(Authorize) private readonly authorize: Authorize,
    @Inject(Settle) private readonly settle: Settle,
    @Inject(RecordUsage) private readonly recordUsage: RecordUsage,
    @Inject(Refund) private readonly refund: Refund,
    @Inject(Accounts) private readonly accounts: Accounts,
    @Inject(MeteringQueries) private readonly queries: MeteringQueries,
  ) {}

  @ApiOperation({ summary: "Subscribe an account to a catalog's plan (admin)" })
  @ApiParam({ name: 'id', description: 'The account id.' })
  @ApiBodyFrom(SubscriptionDto)
  @ApiOkResponse({ description: "Saved, and the plan's allocation set as the ledger's monthly allowance.", schema: SUBSCRIBED })
  @ApiServiceUnavailableResponse({ description: 'The catalog or the ledger did not answer; send the same PUT again.' })
  @Put('accounts/:id/subscription') @AdminOnly()
  async subscription(@Param('id') id: string, @Body() body: unknown) {
    return saved(await this.accounts.setSubscription(id, body));
  }

  @ApiOperation({ summary: "An account's plan", description: 'Readable with a key covering the account; recharge reads it to check which packs the plan may buy.' })
  @ApiParam({ name: 'id', description: 'The account id.' })
  @ApiOkResponse({ description: 'The subscription.', schema: SUBSCRIPTION })
  @ApiNotFoundResponse({ description: 'The account has no subscription.' })
  @Get('accounts/:id/subscription')
  async getSubscription(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    assertCanAccess(p, id);
    return (await this.accounts.subscription(id)) ?? failWith({ status: 'not_found' });
  }

  @ApiOperation({ summary: "Raise an account's fair-use limits until a date (admin)" })
  @ApiParam({ name: 'id', description: 'The account id.' })
  @ApiBodyFrom(LimitOverridesDto)
  @ApiOkResponse({ description: 'The overrides as saved.' })
  @Put('accounts/:id/limit-overrides') @AdminOnly()
  async limitOverrides(@Param('id') id: string, @Body() body: unknown) {
    return saved(await this.accounts.setLimitOverrides(id, body));
  }

  @ApiOperation({
    summary: 'May this generation start? Holds its priced estimate',
    description: 'Checks plan rules, the daily generation cap, the monthly spend cap and the concurrency cap (with any override), then holds the estimate in the ledger. The same key answers the first result. A refusal charges nothing.',
  })
  @ApiBodyFrom(AuthorizeDto)
  @ApiOkResponse({ description: 'Approved: the hold.', schema: AUTHORIZE_APPROVED })
  @ApiUnprocessableEntityResponse({ description: 'Refused, with the reason; nothing is charged.', schema: REFUSED })
  @ApiConflictResponse({ description: 'The key was used for another request.' })
  @ApiServiceUnavailableResponse({ description: UNAVAILABLE })
  @Post('authorizations') @HttpCode(200)
  async authorizations(@CurrentPrincipal() p: Principal, @Body() body: unknown): Promise<AuthorizeReply> {
    assertBodyAccess(p, body);
    const r = await this.authorize.execute(body);
    return r.status === 'approved' ? r : failWith(r);
  }

  @ApiOperation({
    summary: 'How the generation ended',
    description: '`succeeded` with the real usage: priced, captured up to the hold (the rest released), any excess recorded as post-paid usage. `failed`: released, nothing charged. Settling twice answers the first result.',
  })
  @ApiParam({ name: 'holdId', description: 'From the approval.' })
  @ApiBodyFrom(SettleDto)
  @ApiOkResponse({ description: 'Settled.', schema: SETTLED })
  @ApiNotFoundResponse({ description: 'No such hold (or not one the key covers).' })
  @ApiUnprocessableEntityResponse({ description: 'The usage cannot be priced, or the ledger refused.' })
  @ApiServiceUnavailableResponse({ description: UNAVAILABLE })
  @Post('authorizations/:holdId/settle') @HttpCode(200)
  async settlement(@CurrentPrincipal() p: Principal, @Param('holdId') holdId: string, @Body() body: unknown): Promise<SettleReply> {
    // Another account's hold answers exactly like a hold that does not exist.
    const a = await this.queries.authorizationByHold(holdId);
    if (a && !canAccess(p, a.accountId)) failWith({ status: 'not_found', holdId } as SettleReply);
    const r = await this.settle.execute(holdId, body);
    return r.status === 'settled' ? r : failWith(r);
  }

  /** One event, or `{ events: [...] }` (1-1000) answered 200 with one result per event, in order. */
  @ApiOperation({
    summary: 'Post-paid usage: one event or a batch of up to 1,000',
    description: 'Priced with the catalog version in force at `occurredAt` and recorded in the ledger, into debt if need be. A repeated key is applied once. In a batch each event gets its own result.',
  })
  @ApiBodyFrom(USAGE_BODY)
  @ApiOkResponse({ description: 'Recorded (one event), or one result per event (a batch).', schema: USAGE_ANSWER })
  @ApiServiceUnavailableResponse({ description: UNAVAILABLE })
  @Post('usage') @HttpCode(200)
  async usage(@CurrentPrincipal() p: Principal, @Body() body: unknown): Promise<UsageReply | { results: UsageReply[] }> {
    if (body !== null && typeof body === 'object' && 'events' in body) {
      const events = body.events;
      // One event outside the key's scope refuses the whole batch: nothing of it is recorded.
      if (Array.isArray(events)) for (const e of events) assertBodyAccess(p, e);
      const keys = Object.keys(body);
      if (!Array.isArray(events) || events.length < 1 || events.length > 1000 || keys.length !== 1)
        failWith({ status: 'invalid', issues: [{ field: 'events', rule: 'arrayMinSize', message: 'events must be an array of 1 to 1000 usage events, alone in the body' }] } as UsageReply);
      return { results: await this.recordUsage.many(events as unknown[]) };
    }
    assertBodyAccess(p, body);
    const r = await this.recordUsage.one(body);
    return r.status === 'recorded' ? r : failWith(r);
  }

  @ApiOperation({ summary: 'Refund a charge, in full or in part', description: 'Credits go back to the grants the charge burnt, in reverse order.' })
  @ApiBodyFrom(RefundDto)
  @ApiOkResponse({ description: "Refunded: the ledger's events." })
  @ApiUnprocessableEntityResponse({ description: 'The ledger refused (unknown charge, more than is left to refund).' })
  @ApiConflictResponse({ description: 'The key was used for another refund.' })
  @Post('refunds') @HttpCode(200)
  async refunds(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    assertBodyAccess(p, body);
    const r = await this.refund.execute(body);
    switch (r.kind) {
      case 'rejected':
        return failWith({ status: 'invalid', issues: r.issues } as { status: string });
      case 'applied':
        return { status: 'refunded', ledger: r.body };
      case 'refused':
        return failWith({ status: 'refused', reason: r.reason } as { status: string });
      case 'conflict':
        return failWith({ status: 'conflict', reason: 'idempotency_conflict' } as { status: string });
      case 'invalid':
        throw new HttpException(r.body as object, r.status);
      case 'unavailable':
        return failWith(r);
    }
  }
}
