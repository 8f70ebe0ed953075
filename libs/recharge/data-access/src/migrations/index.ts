import { m0001Recharge } from './0001-recharge.js';

export const RECHARGE_MIGRATIONS = { '0001-recharge': m0001Recharge };
