import { applyDecorators, Body, ConflictException, Controller, HttpCode, Inject, Post, Put, UnprocessableEntityException, UseGuards } from '@nestjs/common';
import { ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { AdminOnly, ApiKeyGuard } from '@credence/platform-auth';
import { ApiBodyFrom, ApiKeyAuth } from '@credence/platform-openapi';
import {
  CaptureHoldDto,
  ConfigureAllowanceDto,
  ConfigureThresholdDto,
  IssueGrantDto,
  IssueRefundDto,
  PlaceHoldDto,
  RecordUsageDto,
  ReleaseHoldDto,
  type LedgerCommandBase,
} from '@credence/contracts';
import type { Clock } from '@credence/kernel';
import { encodeEvent } from '@credence/ledger-domain';
import { ApplyCommands } from '../../application/apply-commands/apply-commands.js';
import { keyed, type WireKind } from '../../application/apply-commands/from-wire.js';
import { PlaceHold } from '../../application/place-hold/place-hold.js';
import { CLOCK } from '../../ledger.tokens.js';
import { Valid } from '@credence/platform-runtime';
import { APPLIED, HOLD_PLACED, REFUSED } from './openapi.js';

/** The answers every command route shares. */
const CommandAnswers = (summary: string, dto: new () => object, description?: string) =>
  applyDecorators(
    ApiOperation({ summary, ...(description === undefined ? {} : { description }) }),
    ApiBodyFrom(dto),
    ApiOkResponse({ description: 'Applied now, or applied before under the same key (`repeat: true`).', schema: APPLIED }),
    ApiUnprocessableEntityResponse({ description: "Refused by the ledger's rules, with the reason; nothing changed.", schema: REFUSED }),
    ApiConflictResponse({ description: 'The key was already used with another body.' }),
  );

/**
 * Operators' and services' HTTP way to the same commands as the JetStream subjects, applied
 * synchronously: 200 with the events on success or repeat, 422 with the reason when the ledger
 * refuses, 409 when the key was used with another body.
 */
@ApiTags('ledger commands (admin)')
@ApiKeyAuth('Not an admin key.')
@Controller('api/ledger')
@UseGuards(ApiKeyGuard)
@AdminOnly()
export class CommandsController {
  constructor(
    @Inject(ApplyCommands) private readonly apply: ApplyCommands,
    @Inject(PlaceHold) private readonly placeHold: PlaceHold,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @CommandAnswers('Grant credits', IssueGrantDto, 'Credits of a source (free, plan, promo, purchase) with an optional expiry. A grant first pays any debt.')
  @Post('grants') @HttpCode(200)
  grant(@Body(new Valid(IssueGrantDto)) dto: IssueGrantDto) {
    return this.run('IssueGrant', dto);
  }

  @CommandAnswers('Record usage (post-paid)', RecordUsageDto, 'Burns credits in burn-down order; what is missing becomes debt.')
  @Post('usage') @HttpCode(200)
  usage(@Body(new Valid(RecordUsageDto)) dto: RecordUsageDto) {
    return this.run('RecordUsage', dto);
  }

  @CommandAnswers('Refund a charge', IssueRefundDto, 'Back to the grants the charge burnt, in reverse order; at most what is left of the charge.')
  @Post('refunds') @HttpCode(200)
  refund(@Body(new Valid(IssueRefundDto)) dto: IssueRefundDto) {
    return this.run('IssueRefund', dto);
  }

  @ApiOperation({ summary: 'Place a hold', description: 'Reserves credits backed only by grants that outlive the hold; answered once durable.' })
  @ApiBodyFrom(PlaceHoldDto)
  @ApiOkResponse({ description: 'Placed (or placed before under the same key).', schema: HOLD_PLACED })
  @ApiUnprocessableEntityResponse({ description: 'Refused (not enough available credits), nothing held.', schema: REFUSED })
  @ApiConflictResponse({ description: 'The key was already used with another body.' })
  @Post('holds') @HttpCode(200)
  async hold(@Body(new Valid(PlaceHoldDto)) dto: PlaceHoldDto) {
    const reply = await this.placeHold.execute({ ...dto });
    if (reply.status === 'refused') throw new UnprocessableEntityException(reply);
    if (reply.status === 'invalid') throw new ConflictException(reply);
    return reply;
  }

  @CommandAnswers('Capture a hold', CaptureHoldDto, 'Up to the held amount; the rest is released.')
  @Post('captures') @HttpCode(200)
  capture(@Body(new Valid(CaptureHoldDto)) dto: CaptureHoldDto) {
    return this.run('CaptureHold', dto);
  }

  @CommandAnswers('Release a hold', ReleaseHoldDto)
  @Post('releases') @HttpCode(200)
  release(@Body(new Valid(ReleaseHoldDto)) dto: ReleaseHoldDto) {
    return this.run('ReleaseHold', dto);
  }

  @CommandAnswers('Configure a named low-balance threshold', ConfigureThresholdDto, '`BalanceLow` is published once per crossing and re-armed above.')
  @Put('thresholds')
  threshold(@Body(new Valid(ConfigureThresholdDto)) dto: ConfigureThresholdDto) {
    return this.run('ConfigureThreshold', dto);
  }

  @CommandAnswers('Configure the monthly free allowance', ConfigureAllowanceDto, 'Reset once per period on the anchor day.')
  @Put('allowance')
  allowance(@Body(new Valid(ConfigureAllowanceDto)) dto: ConfigureAllowanceDto) {
    return this.run('ConfigureAllowance', dto);
  }

  private async run(kind: WireKind, dto: LedgerCommandBase) {
    const [result] = await this.apply.executeIsolating([keyed(kind, dto, this.clock.now())]);
    switch (result?.status) {
      case 'applied':
        return { status: 'applied', events: result.events.map(encodeEvent) };
      case 'duplicate':
        if (result.outcome.status === 'refused') throw new UnprocessableEntityException({ status: 'refused', reason: result.outcome.code, repeat: true });
        return { status: 'applied', repeat: true };
      case 'refused':
        throw new UnprocessableEntityException({ status: 'refused', reason: result.code });
      case 'conflict':
        throw new ConflictException({ status: 'conflict', reason: 'idempotency_conflict', message: `key ${dto.key} was already used with another body` });
      case 'failed':
        throw new UnprocessableEntityException({ status: 'failed', reason: 'COMMAND_FAILED', message: result.reason });
      case undefined:
        throw new Error('no result for a command');
    }
  }
}
