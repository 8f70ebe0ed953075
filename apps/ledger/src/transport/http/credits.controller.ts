import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyAuth, ApiQueryFrom } from '@credence/platform-openapi';
import { ApiKeyGuard, assertCanAccess, CurrentPrincipal, type Principal } from '@credence/platform-auth';
import { GetCredits } from '../../application/get-credits/get-credits.js';
import { CreditsQuery } from './credits.query.js';
import { CREDITS } from './openapi.js';
import { Valid } from '@credence/platform-runtime';

const DEFAULT_PAGE_SIZE = 50;

/** A key covering the account reads its credits; the check runs after validation (a bad query is 400 for anyone). */
@ApiTags('credits')
@ApiKeyAuth()
@Controller('api/billing')
@UseGuards(ApiKeyGuard)
export class CreditsController {
  constructor(@Inject(GetCredits) private readonly getCredits: GetCredits) {}

  /** The balance (by source) and the transactions, newest first, filtered and paginated by cursor. */
  @ApiOperation({ summary: "An account's balance by source and its transactions, newest first" })
  @ApiQueryFrom(CreditsQuery)
  @ApiOkResponse({ description: 'The balance and one page of transactions.', schema: CREDITS })
  @Get('credits')
  credits(@CurrentPrincipal() p: Principal, @Query(new Valid(CreditsQuery)) q: CreditsQuery) {
    assertCanAccess(p, q.accountId);
    return this.getCredits.execute({
      accountId: q.accountId,
      ...(q.type === undefined ? {} : { type: q.type }),
      ...(q.projectId === undefined ? {} : { projectId: q.projectId }),
      ...(q.sessionId === undefined ? {} : { sessionId: q.sessionId }),
      ...(q.generationId === undefined ? {} : { generationId: q.generationId }),
      ...(q.from === undefined ? {} : { from: new Date(q.from) }),
      ...(q.to === undefined ? {} : { to: new Date(q.to) }),
      ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      limit: q.limit === undefined ? DEFAULT_PAGE_SIZE : Number(q.limit),
    });
  }
}
