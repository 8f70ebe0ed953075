export * from './notification.js';
export * from './reader.js';
export * from './effects.js';
export * from './retry.js';
export * from './signature.js';
export * from './templates.js';
export * from './render.js';
