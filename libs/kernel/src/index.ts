export * from './result.js';
export * from './assert.js';
export * from './clock.js';
export * from './credits.js';
export * from './json.js';
export * from './random.js';
