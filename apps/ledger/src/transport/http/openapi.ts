import type { INestApplication } from '@nestjs/common';
import { buildOpenApiDocument, type SchemaObject } from '@credence/platform-openapi';

export const LEDGER_API = {
  title: 'Credence ledger',
  description:
    'The append-only credit ledger: balances by source and history for an account (`/api/billing`), and the admin command routes (`/api/ledger`), ' +
    'the synchronous HTTP way to the same commands as the JetStream subjects. Amounts are decimal strings of integers; the same key applies a command once.',
  version: '1',
};

export const ledgerOpenApi = (app: INestApplication) => buildOpenApiDocument(app, LEDGER_API);

const amount: SchemaObject = { type: 'string', pattern: '^-?(0|[1-9][0-9]*)$', example: '1500' };

export const APPLIED: SchemaObject = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['applied'] },
    repeat: { type: 'boolean', description: 'The key was applied before: nothing new happened.' },
    events: { type: 'array', description: 'The events the command appended (absent on a repeat).', items: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } } },
  },
};

export const REFUSED: SchemaObject = {
  type: 'object',
  required: ['status', 'reason'],
  properties: {
    status: { type: 'string', enum: ['refused', 'failed'] },
    reason: { type: 'string', example: 'INSUFFICIENT_CREDITS' },
    repeat: { type: 'boolean' },
    available: { ...amount, nullable: true },
  },
};

export const HOLD_PLACED: SchemaObject = {
  type: 'object',
  required: ['status', 'holdId', 'amount', 'expiresAt', 'available'],
  properties: {
    status: { type: 'string', enum: ['approved'] },
    holdId: { type: 'string' },
    amount,
    expiresAt: { type: 'string', format: 'date-time' },
    available: { ...amount, description: 'Available credits after the hold.' },
  },
};

export const CREDITS: SchemaObject = {
  type: 'object',
  required: ['accountId', 'asOf', 'balance', 'transactions', 'nextCursor'],
  properties: {
    accountId: { type: 'string' },
    asOf: { type: 'string', format: 'date-time' },
    balance: {
      type: 'object',
      required: ['total', 'available', 'held', 'debt', 'pending', 'bySource'],
      properties: {
        total: amount,
        available: { ...amount, description: 'total - held: what new work may use.' },
        held: amount,
        debt: { ...amount, description: 'Post-paid usage not yet covered; the next grant pays it first.' },
        pending: amount,
        bySource: { type: 'object', additionalProperties: amount, example: { free: '1000000', purchase: '5000000' } },
      },
    },
    transactions: {
      type: 'array',
      description: 'Newest first.',
      items: {
        type: 'object',
        required: ['id', 'type', 'event', 'amount', 'reserved', 'timestamp', 'balanceAfter', 'resource', 'priceVersion'],
        properties: {
          id: { type: 'string' },
          type: { type: 'string', example: 'deduction' },
          event: { type: 'string', example: 'UsageDeducted' },
          amount: { ...amount, description: 'Signed change to the balance.' },
          reserved: { ...amount, nullable: true, description: 'Signed change to the credits held (hold events).' },
          timestamp: { type: 'string', format: 'date-time' },
          balanceAfter: amount,
          resource: { type: 'object', nullable: true, properties: { projectId: { type: 'string' }, sessionId: { type: 'string' }, generationId: { type: 'string' } } },
          priceVersion: { type: 'string', nullable: true },
        },
      },
    },
    nextCursor: { type: 'string', nullable: true, description: 'Pass as `cursor` for the next page; null on the last.' },
  },
};
