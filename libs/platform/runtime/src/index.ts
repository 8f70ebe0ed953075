export * from './upstream.js';
export * from './loop.js';
export * from './config.js';
export * from './http.js';
export * from './busy.filter.js';
export * from './valid.js';
