import { m0001Notifier } from './0001-notifier.js';

export const NOTIFIER_MIGRATIONS = { '0001-notifier': m0001Notifier };
