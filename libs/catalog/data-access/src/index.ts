export * from './catalog-queries.js';
export * from './schema.js';
export { CATALOG_MIGRATIONS } from './migrations/0001-catalog.js';
