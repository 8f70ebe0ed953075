/** Injection tokens for what the ledger module builds from config (framework-free classes and handles). */
export const CONFIG = Symbol('LedgerConfig');
export const NAMESPACE = Symbol('Namespace');
export const CLOCK = Symbol('Clock');
export const DB = Symbol('Kysely');
export const POOL = Symbol('pg.Pool');
export const NATS = Symbol('NatsConnection');
