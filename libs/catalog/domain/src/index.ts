export * from './model.js';
export * from './rational.js';
export * from './versions.js';
export * from './pricing.js';
export * from './plans.js';
export * from './packs.js';
export * from './simulate.js';
export * from './json.js';
