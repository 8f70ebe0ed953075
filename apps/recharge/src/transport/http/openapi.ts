import type { INestApplication } from '@nestjs/common';
import { PURCHASE_REFUSALS } from '@credence/contracts';
import { buildOpenApiDocument, type SchemaObject } from '@credence/platform-openapi';

export const RECHARGE_API = {
  title: 'Credence recharge',
  description:
    'Credit packs bought by hand or by auto-recharge when a balance runs low, paid through a payment gateway (a sandbox here) and granted to the ledger once the payment succeeded, exactly once per purchase. ' +
    'Money in minor units and credits as decimal strings. Every route needs an API key covering the account.',
  version: '1',
};

export const rechargeOpenApi = (app: INestApplication) => buildOpenApiDocument(app, RECHARGE_API);

const amount: SchemaObject = { type: 'string', pattern: '^(0|[1-9][0-9]*)$', example: '2900' };
const time: SchemaObject = { type: 'string', format: 'date-time' };
const nullable = (s: SchemaObject): SchemaObject => ({ ...s, nullable: true });

export const REFUSED: SchemaObject = {
  type: 'object',
  required: ['status', 'reason'],
  properties: {
    status: { type: 'string', enum: ['refused'] },
    reason: { type: 'string', enum: [...PURCHASE_REFUSALS, 'invalid_card'] },
    detail: { type: 'string' },
  },
};

export const PURCHASE: SchemaObject = {
  type: 'object',
  required: ['id', 'accountId', 'trigger', 'packId', 'status', 'attempts', 'createdAt', 'history'],
  properties: {
    id: { type: 'string', description: "Also the ledger grant's idempotency key." },
    accountId: { type: 'string' },
    trigger: { type: 'string', enum: ['manual', 'auto'] },
    key: nullable({ type: 'string', description: "manual: the caller's idempotency key." }),
    cause: nullable({ type: 'string', description: "auto: the ledger's BalanceLow event id." }),
    packId: { type: 'string' },
    packVersion: nullable({ type: 'string' }),
    credits: nullable(amount),
    amountMinor: nullable({ ...amount, description: 'The price in minor units of `currency`.' }),
    currency: nullable({ type: 'string' }),
    paymentMethodId: nullable({ type: 'string' }),
    status: {
      type: 'string',
      enum: ['pending', 'processing', 'paid', 'granted', 'abandoned', 'skipped'],
      description: 'pending: an attempt is due; processing: submitted, awaiting confirmation; paid: to be granted; granted: credits in the account; abandoned: given up, nothing charged; skipped: over the monthly limit.',
    },
    reason: nullable({ type: 'string', description: 'Why it was abandoned or skipped: declined, authentication_required, gateway_no_answer, monthly_limit, or a refusal.' }),
    attempts: { type: 'integer', description: 'Payment attempts made.' },
    nextAttemptAt: nullable(time),
    createdAt: time,
    updatedAt: time,
    paidAt: nullable(time),
    grantedAt: nullable(time),
    repeat: { type: 'boolean', description: 'Only in the answer to a purchase: the key was used before.' },
    history: {
      type: 'array',
      items: {
        type: 'object',
        required: ['attempt', 'outcome', 'at'],
        properties: {
          attempt: { type: 'integer' },
          outcome: { type: 'string', enum: ['requested', 'succeeded', 'declined', 'authentication_required', 'no_answer', 'resubmitted', 'abandoned', 'granted', 'skipped'] },
          detail: nullable({ type: 'string' }),
          at: time,
        },
      },
    },
  },
};

export const PURCHASE_LIST: SchemaObject = {
  type: 'object',
  required: ['purchases', 'nextCursor'],
  properties: { purchases: { type: 'array', items: PURCHASE }, nextCursor: nullable({ type: 'string', description: 'Pass as `cursor` for the next page.' }) },
};

export const SETTINGS: SchemaObject = {
  type: 'object',
  required: ['accountId', 'enabled', 'packId', 'threshold', 'monthlyLimitMinor', 'currency', 'ledgerThreshold'],
  properties: {
    accountId: { type: 'string' },
    enabled: { type: 'boolean' },
    packId: { type: 'string' },
    threshold: { ...amount, description: 'Credits: below this available balance, the pack is bought.' },
    monthlyLimitMinor: nullable({ ...amount, description: "This UTC month's auto-recharges, plus the next one, may not cost more." }),
    currency: nullable({ type: 'string' }),
    paymentMethodId: nullable({ type: 'string', description: "null: the account's default (newest) payment method." }),
    enabledSince: nullable(time),
    consecutiveFailures: { type: 'integer' },
    disabledReason: nullable({ type: 'string', enum: ['by_request', 'repeated_failures'] }),
    ledgerThreshold: { type: 'string', enum: ['configured', 'pending'] },
    updatedAt: time,
  },
};

export const PAYMENT_METHOD: SchemaObject = {
  type: 'object',
  required: ['id', 'accountId', 'brand', 'last4', 'default', 'createdAt'],
  properties: { id: { type: 'string' }, accountId: { type: 'string' }, brand: { type: 'string' }, last4: { type: 'string' }, default: { type: 'boolean' }, createdAt: time },
};
