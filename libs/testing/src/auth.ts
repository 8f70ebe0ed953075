/**
 * The bootstrap admin key every e2e helper gives its processes (CREDENCE_ADMIN_KEY) and sends on
 * its requests. A fixed, well-formed key: it only ever guards throwaway test schemas.
 */
export const TEST_ADMIN_KEY = `cred_testadmin234_${'e2eAdminSecret'.padEnd(43, '0')}`;
