import { m0001Recharge } from './0001-recharge.js';
import { m0002SharedOutbox } from './0002-shared-outbox.js';

export const RECHARGE_MIGRATIONS = { '0001-recharge': m0001Recharge, '0002-shared-outbox': m0002SharedOutbox };
