import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsTimestamp } from '@credence/contracts';
import { TRANSACTION_TYPES } from '../../application/get-credits/get-credits.js';

export const MAX_PAGE_SIZE = 200;

/** Query of `GET /api/billing/credits`. Query strings are strings: numbers are checked as text. */
export class CreditsQuery {
  @IsString() @Length(1, 100) accountId!: string;
  @IsOptional() @IsIn(Object.keys(TRANSACTION_TYPES)) type?: string;
  @IsOptional() @IsString() @Length(1, 200) projectId?: string;
  @IsOptional() @IsString() @Length(1, 200) sessionId?: string;
  @IsOptional() @IsString() @Length(1, 200) generationId?: string;
  @IsOptional() @IsTimestamp() from?: string;
  @IsOptional() @IsTimestamp() to?: string;
  @IsOptional() @Matches(/^[1-9][0-9]{0,18}$/, { message: 'cursor must be the nextCursor of a previous page' }) cursor?: string;
  @IsOptional() @Matches(/^([1-9]|[1-9][0-9]|1[0-9][0-9]|200)$/, { message: `limit must be an integer from 1 to ${MAX_PAGE_SIZE}` }) limit?: string;
}
