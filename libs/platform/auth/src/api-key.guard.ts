import 'reflect-metadata';
import {
  Inject,
  Injectable,
  SetMetadata,
  ServiceUnavailableException,
  UnauthorizedException,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { presentedKey, type Authenticator } from './authenticator.js';
import { forbidden, isAdmin, type Principal } from './principal.js';

export const AUTHENTICATOR = Symbol('AUTHENTICATOR');
const ADMIN_ONLY = 'credence:admin-only';

type AuthRequest = { headers: Record<string, string | string[] | undefined>; principal?: Principal };

/** The route (or every route of the controller) refuses keys that are not admin keys, 403. */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);

/** The principal the guard attached to the request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const p = ctx.switchToHttp().getRequest<AuthRequest>().principal;
  // The guard runs before any parameter is resolved: no principal means the guard is missing.
  if (!p) throw new Error('CurrentPrincipal used on a route without ApiKeyGuard');
  return p;
});

/**
 * HTTP routes only (NATS request/reply is the trusted internal network). Missing, malformed, unknown,
 * revoked or wrong keys all get the same 401 body.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(@Inject(AUTHENTICATOR) private readonly authenticator: Authenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<AuthRequest>();
    let principal: Principal | undefined;
    try {
      principal = await this.authenticator.authenticate(presentedKey(req.headers));
    } catch {
      throw new ServiceUnavailableException({ error: 'unavailable', detail: 'keys cannot be verified now' });
    }
    if (!principal) throw new UnauthorizedException({ error: 'unauthorized' });
    const adminOnly = [context.getHandler(), context.getClass()].some((t) => Reflect.getMetadata(ADMIN_ONLY, t) === true);
    if (adminOnly && !isAdmin(principal)) throw forbidden();
    req.principal = principal;
    return true;
  }
}
