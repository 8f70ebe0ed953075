export * from './validation.js';
export * from './subjects.js';
export * from './ledger/commands.js';
export * from './ledger/events.js';
