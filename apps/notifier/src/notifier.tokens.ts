/** Injection tokens for what the notifier module builds from config (framework-free classes and handles). */
export const CONFIG = Symbol('NotifierConfig');
export const NAMESPACE = Symbol('Namespace');
export const CLOCK = Symbol('Clock');
export const DB = Symbol('Kysely');
export const NATS = Symbol('NatsConnection');
export const AUTH = Symbol('AuthConfig');
export const RETRY_POLICY = Symbol('RetryPolicy');
export const EMAIL_SENDER = Symbol('EmailSender');
