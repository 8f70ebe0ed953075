/** Injection tokens for what the metering module builds from config (framework-free classes and handles). */
export const CONFIG = Symbol('MeteringConfig');
export const NAMESPACE = Symbol('Namespace');
export const CLOCK = Symbol('Clock');
export const DB = Symbol('Kysely');
export const NATS = Symbol('NatsConnection');
export const KEY_STORE = Symbol('KeyStore');
export const AUTH = Symbol('AuthConfig');
