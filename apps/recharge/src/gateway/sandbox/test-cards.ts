import type { SandboxBehaviour } from '@credence/recharge-data-access';

/**
 * The sandbox takes these card numbers and nothing else: a real card number must never reach it.
 * Each behaves like its namesake at real providers.
 */
export const SANDBOX_TEST_CARDS: Readonly<Record<string, { readonly behaviour: SandboxBehaviour; readonly brand: string; readonly what: string }>> = {
  '4242424242424242': { behaviour: 'succeed', brand: 'visa', what: 'succeeds (confirmed after SANDBOX_CONFIRM_DELAY_MS)' },
  '4000000000000002': { behaviour: 'decline', brand: 'visa', what: 'is declined (card_declined), every time' },
  '4000002500003155': { behaviour: 'authenticate', brand: 'visa', what: 'requires authentication (3-D Secure): refused off-session at once' },
  '4000000000000119': { behaviour: 'timeout', brand: 'visa', what: 'keeps its first answer back for SANDBOX_TIMEOUT_DELAY_MS, then succeeds; a retry under the same key answers at once, charging nothing more' },
};
