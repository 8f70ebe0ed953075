import { Controller, HttpCode, Inject, Post, Req, UnauthorizedException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ConfirmPayment } from '../../application/confirm-payment/confirm-payment.js';

/** What this route reads of the request: the app is created with `rawBody: true`. */
type CallbackRequest = { readonly headers: Readonly<Record<string, string | string[] | undefined>>; readonly rawBody?: Buffer };

/**
 * The payment provider's callbacks. No API key: the provider signs each one (HMAC of the raw
 * body), which is what is checked. Left out of the OpenAPI document: it is the provider's
 * interface, not a client's.
 */
@ApiExcludeController()
@Controller('api/billing/gateway')
export class GatewayController {
  constructor(@Inject(ConfirmPayment) private readonly confirm: ConfirmPayment) {}

  @Post('webhook') @HttpCode(200)
  async webhook(@Req() req: CallbackRequest) {
    const r = await this.confirm.execute(req.headers, req.rawBody ?? Buffer.alloc(0));
    if (r.status === 'unauthorized') throw new UnauthorizedException({ error: 'unauthorized' });
    return r;
  }
}
