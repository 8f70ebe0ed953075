import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { METERING_AUTHORIZE_SUBJECT, type AuthorizeReply } from '@credence/contracts';
import { Authorize } from '../../application/authorize/authorize.js';

/** NATS request/reply edge: "may this generation start?". */
@Controller()
export class AuthorizeHandler {
  constructor(@Inject(Authorize) private readonly authorize: Authorize) {}

  @MessagePattern(METERING_AUTHORIZE_SUBJECT)
  execute(@Payload() body: unknown): Promise<AuthorizeReply> {
    return this.authorize.execute(body);
  }
}
