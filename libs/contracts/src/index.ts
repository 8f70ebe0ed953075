// DTO decorators (class-transformer's @Type) read design-time metadata: load the polyfill with them.
import 'reflect-metadata';
export * from './validation.js';
export * from './subjects.js';
export * from './ledger/commands.js';
export * from './ledger/events.js';
export * from './catalog/subjects.js';
export * from './catalog/dtos.js';
export * from './metering/subjects.js';
export * from './metering/dtos.js';
export * from './metering/events.js';
export * from './recharge/subjects.js';
export * from './recharge/dtos.js';
export * from './notifier/kinds.js';
export * from './notifier/dtos.js';
