import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiAcceptedResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiServiceUnavailableResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { AccountQueryDto, AutoRechargeSettingsDto, ListPurchasesQueryDto, PurchaseDto, SavePaymentMethodDto, validatePlain } from '@credence/contracts';
import { ApiBodyFrom, ApiKeyAuth, ApiQueryFrom } from '@credence/platform-openapi';
import { ApiKeyGuard, assertBodyAccess, assertCanAccess, canAccess, CurrentPrincipal, type Principal } from '@credence/platform-auth';
import { failWith } from '@credence/platform-runtime';
import { AutoRecharge } from '../../application/auto-recharge/auto-recharge.js';
import { BuyPack } from '../../application/buy-pack/buy-pack.js';
import { ListPurchases } from '../../application/list-purchases/list-purchases.js';
import { PaymentMethods } from '../../application/payment-methods/payment-methods.js';
import { PAYMENT_METHOD, PURCHASE, PURCHASE_LIST, REFUSED, SETTINGS } from './openapi.js';

const UNAVAILABLE = 'Metering or the catalog did not answer in time: nothing was recorded; retry with the same body.';

/** Validated first, so a bad query is a 400 whatever the key covers. */
function valid<T extends object>(dto: new () => T, value: unknown): T {
  const r = validatePlain(dto, value ?? {});
  return r.ok ? r.value : failWith({ status: 'invalid', issues: r.issues } as { status: string });
}

/** Every route needs a key covering the account it is about. */
@ApiTags('billing')
@ApiKeyAuth()
@Controller('api/billing')
@UseGuards(ApiKeyGuard)
export class BillingController {
  constructor(
    @Inject(BuyPack) private readonly buy: BuyPack,
    @Inject(ListPurchases) private readonly purchases: ListPurchases,
    @Inject(AutoRecharge) private readonly autoRecharge: AutoRecharge,
    @Inject(PaymentMethods) private readonly methods: PaymentMethods,
  ) {}

  @ApiOperation({
    summary: 'Buy a pack now, with a saved payment method',
    description:
      "Only where the account's plan may buy the pack. The payment is submitted before the answer and confirmed asynchronously; the credits (source `purchase`, never expiring) are granted once it succeeds. The same key answers the same purchase.",
  })
  @ApiBodyFrom(PurchaseDto)
  @ApiAcceptedResponse({ description: 'The purchase as it stands (`status` pending, processing, paid, granted or abandoned); `repeat` when the key was used before.', schema: PURCHASE })
  @ApiUnprocessableEntityResponse({ description: 'Refused before any payment, with the reason.', schema: REFUSED })
  @ApiConflictResponse({ description: 'The key was used for another purchase.' })
  @ApiServiceUnavailableResponse({ description: UNAVAILABLE })
  @Post('purchases') @HttpCode(202)
  async purchase(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    assertBodyAccess(p, body);
    const r = await this.buy.execute(body);
    return r.status === 'accepted' ? { ...r.purchase, repeat: r.repeat } : failWith(r);
  }

  @ApiOperation({ summary: "An account's purchases and auto-recharges, newest first, each with every attempt" })
  @ApiQueryFrom(ListPurchasesQueryDto)
  @ApiOkResponse({ description: 'One page; `nextCursor` null on the last.', schema: PURCHASE_LIST })
  @Get('purchases')
  async list(@CurrentPrincipal() p: Principal, @Query() query: unknown) {
    assertCanAccess(p, valid(ListPurchasesQueryDto, query).accountId);
    const r = await this.purchases.list(query);
    return r.status === 'listed' ? { purchases: r.purchases, nextCursor: r.nextCursor } : failWith(r);
  }

  @ApiOperation({ summary: 'One purchase with every attempt' })
  @ApiParam({ name: 'id', description: 'The purchase id.' })
  @ApiOkResponse({ schema: PURCHASE })
  @ApiNotFoundResponse({ description: 'No such purchase (or not one the key covers).' })
  @Get('purchases/:id')
  async one(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    const purchase = await this.purchases.one(id);
    // Another account's purchase answers exactly like one that does not exist.
    return purchase && canAccess(p, purchase.accountId) ? purchase : failWith({ status: 'not_found', id } as { status: string });
  }

  @ApiOperation({ summary: "An account's auto-recharge settings" })
  @ApiQueryFrom(AccountQueryDto)
  @ApiOkResponse({ schema: SETTINGS })
  @ApiNotFoundResponse({ description: 'Auto-recharge was never configured for the account.' })
  @Get('auto-recharge')
  async getSettings(@CurrentPrincipal() p: Principal, @Query() query: unknown) {
    const { accountId } = valid(AccountQueryDto, query);
    assertCanAccess(p, accountId);
    return (await this.autoRecharge.get(accountId)) ?? failWith({ status: 'not_found', accountId } as { status: string });
  }

  @ApiOperation({
    summary: 'Configure auto-recharge: pack, threshold, monthly spending limit',
    description:
      'Switching on checks that the plan may buy the pack and that a payment method is saved. The monthly limit defaults to 50 EUR, or the catalog\'s equivalent in the account\'s currency. The ledger threshold `auto-recharge` follows the settings (`ledgerThreshold`: configured, or pending while the ledger is out).',
  })
  @ApiBodyFrom(AutoRechargeSettingsDto)
  @ApiOkResponse({ description: 'The settings as saved.', schema: SETTINGS })
  @ApiUnprocessableEntityResponse({ description: 'Refused: the plan may not buy the pack, no payment method...', schema: REFUSED })
  @ApiServiceUnavailableResponse({ description: UNAVAILABLE })
  @Put('auto-recharge')
  async putSettings(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    assertBodyAccess(p, body);
    const r = await this.autoRecharge.put(body);
    return r.status === 'saved' ? r.settings : failWith(r);
  }

  @ApiOperation({
    summary: 'Save a card for the account (sandbox gateway: test card numbers only)',
    description: 'The newest saved card is the account\'s default. The sandbox refuses any number but its test cards (docs/api/recharge-http.md).',
  })
  @ApiBodyFrom(SavePaymentMethodDto)
  @ApiCreatedResponse({ schema: PAYMENT_METHOD })
  @ApiUnprocessableEntityResponse({ description: 'Not a card the gateway takes (`invalid_card`).', schema: REFUSED })
  @Post('payment-methods') @HttpCode(201)
  async saveMethod(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    assertBodyAccess(p, body);
    const r = await this.methods.save(body);
    return r.status === 'saved' ? r.method : failWith(r);
  }

  @ApiOperation({ summary: "An account's saved payment methods, the default first" })
  @ApiQueryFrom(AccountQueryDto)
  @ApiOkResponse({ schema: { type: 'object', required: ['paymentMethods'], properties: { paymentMethods: { type: 'array', items: PAYMENT_METHOD } } } })
  @Get('payment-methods')
  async listMethods(@CurrentPrincipal() p: Principal, @Query() query: unknown) {
    const { accountId } = valid(AccountQueryDto, query);
    assertCanAccess(p, accountId);
    return { paymentMethods: await this.methods.list(accountId) };
  }
}
