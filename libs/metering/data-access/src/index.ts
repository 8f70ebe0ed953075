export * from './metering-queries.js';
export * from './schema.js';
export { METERING_MIGRATIONS } from './migrations/0001-metering.js';
