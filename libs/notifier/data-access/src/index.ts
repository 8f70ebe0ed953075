export * from './schema.js';
export * from './notifier-store.js';
export { NOTIFIER_MIGRATIONS } from './migrations/index.js';
