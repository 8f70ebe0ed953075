import { ForbiddenException } from '@nestjs/common';
import type { KeyScope } from './keys.js';

/** Who called: the key's id ('bootstrap' for CREDENCE_ADMIN_KEY, 'anonymous' when auth is off) and its scope. */
export interface Principal {
  readonly keyId: string;
  readonly scope: KeyScope;
}

export const isAdmin = (p: Principal): boolean => p.scope.kind === 'admin';

export function canAccess(p: Principal, accountId: string): boolean {
  const s = p.scope;
  switch (s.kind) {
    case 'admin':
      return true;
    case 'accounts':
      return s.accountIds.includes(accountId);
    case 'tenant':
      return accountId.startsWith(`${s.tenant}:`) && accountId.length > s.tenant.length + 1;
  }
}

/** The same body whatever the account: nothing tells whether it exists. */
export const forbidden = () => new ForbiddenException({ error: 'forbidden' });

export function assertCanAccess(p: Principal, accountId: string): void {
  if (!canAccess(p, accountId)) throw forbidden();
}

/**
 * A body naming an account (`accountId`) needs a key covering it. A body without a usable one is
 * left to the use case, which refuses it (400) without saying anything about any account.
 */
export function assertBodyAccess(p: Principal, body: unknown): void {
  if (body !== null && typeof body === 'object' && 'accountId' in body && typeof body.accountId === 'string') assertCanAccess(p, body.accountId);
}
