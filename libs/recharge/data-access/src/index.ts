export * from './schema.js';
export * from './recharge-queries.js';
export * from './sandbox-queries.js';
export { RECHARGE_MIGRATIONS } from './migrations/index.js';
