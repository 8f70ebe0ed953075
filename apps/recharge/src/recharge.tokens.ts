/** Injection tokens for what the recharge module builds from config (framework-free classes and handles). */
export const CONFIG = Symbol('RechargeConfig');
export const NAMESPACE = Symbol('Namespace');
export const CLOCK = Symbol('Clock');
export const DB = Symbol('Kysely');
export const NATS = Symbol('NatsConnection');
export const GATEWAY = Symbol('PaymentGateway');
