import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CATALOG_QUOTE_SUBJECT, type QuoteReply } from '@credence/contracts';
import { Quote } from '../../application/quote/quote.js';

/** NATS request/reply edge: "what does this usage cost?", answered from the cached catalog. */
@Controller()
export class QuoteHandler {
  constructor(@Inject(Quote) private readonly quote: Quote) {}

  @MessagePattern(CATALOG_QUOTE_SUBJECT)
  execute(@Payload() body: unknown): Promise<QuoteReply> {
    return this.quote.execute(body);
  }
}
