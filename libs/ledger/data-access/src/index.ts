export * from './ledger-store.js';
export * from './ledger-queries.js';
export * from './rows.js';
export * from './schema.js';
export * from './rebuild.js';
export { LEDGER_MIGRATIONS } from './migrations/0001-ledger.js';
