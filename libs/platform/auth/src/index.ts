export * from './keys.js';
export * from './principal.js';
export * from './key-store.js';
export * from './auth-config.js';
export * from './authenticator.js';
export * from './api-key.guard.js';
