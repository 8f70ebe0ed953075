export * from './metering-queries.js';
export * from './schema.js';
export { METERING_MIGRATIONS } from './migrations/index.js';
export * from './api-key-queries.js';
