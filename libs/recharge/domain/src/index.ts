export * from './purchase.js';
export * from './auto-recharge.js';
