import { Controller, Get, Inject, Query } from '@nestjs/common';
import { GetCredits } from '../../application/get-credits/get-credits.js';
import { CreditsQuery } from './credits.query.js';
import { Valid } from './valid.pipe.js';

const DEFAULT_PAGE_SIZE = 50;

@Controller('api/billing')
export class CreditsController {
  constructor(@Inject(GetCredits) private readonly getCredits: GetCredits) {}

  /** The balance (by source) and the transactions, newest first, filtered and paginated by cursor. */
  @Get('credits')
  credits(@Query(new Valid(CreditsQuery)) q: CreditsQuery) {
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
