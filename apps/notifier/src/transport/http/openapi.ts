import type { INestApplication } from '@nestjs/common';
import { DELIVERY_CHANNELS, DELIVERY_STATUSES, NOTIFICATION_KINDS, WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER } from '@credence/contracts';
import { buildOpenApiDocument, type SchemaObject } from '@credence/platform-openapi';

export const NOTIFIER_API = {
  title: 'Credence notifier',
  description:
    'Where an account hears about low balances, recharges, limits, expiring credits, monthly resets and price changes: webhook endpoints and e-mail recipients, each with the kinds it wants, and the delivery log. ' +
    `Webhooks are POSTed as JSON \`{ id, kind, accountId, occurredAt, data }\`, signed in \`${WEBHOOK_SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>\`, ` +
    `with the notification id in \`${WEBHOOK_ID_HEADER}\` (the same on every retry), retried with exponential back-off and full jitter for up to 24 hours, then dead-lettered. ` +
    'Every request needs an API key covering the account.',
  version: '1',
};

export const notifierOpenApi = (app: INestApplication) => buildOpenApiDocument(app, NOTIFIER_API);

const kinds: SchemaObject = { type: 'array', items: { type: 'string', enum: [...NOTIFICATION_KINDS] } };
const time: SchemaObject = { type: 'string', format: 'date-time' };
const nullableTime: SchemaObject = { ...time, nullable: true };

export const WEBHOOK_ENDPOINT: SchemaObject = {
  type: 'object',
  required: ['id', 'accountId', 'url', 'kinds', 'description', 'createdAt'],
  properties: { id: { type: 'string', example: 'wh_3kTx...' }, accountId: { type: 'string' }, url: { type: 'string' }, kinds, description: { type: 'string' }, createdAt: time },
};

export const WEBHOOK_CREATED: SchemaObject = {
  allOf: [
    WEBHOOK_ENDPOINT,
    {
      type: 'object',
      required: ['secret'],
      properties: { secret: { type: 'string', example: 'whsec_...', description: 'Signs every notification to this endpoint. Shown only in this answer: keep it.' } },
    },
  ],
};

export const EMAIL_RECIPIENT: SchemaObject = {
  type: 'object',
  required: ['id', 'accountId', 'address', 'kinds', 'createdAt'],
  properties: { id: { type: 'string', example: 'em_...' }, accountId: { type: 'string' }, address: { type: 'string', format: 'email' }, kinds, createdAt: time },
};

export const REFUSED: SchemaObject = {
  type: 'object',
  required: ['status', 'reason'],
  properties: { status: { type: 'string', enum: ['refused'] }, reason: { type: 'string', enum: ['too_many_targets'] }, detail: { type: 'string' } },
};

export const DELIVERY: SchemaObject = {
  type: 'object',
  required: ['id', 'notificationId', 'kind', 'accountId', 'channel', 'targetId', 'target', 'status', 'createdAt', 'nextAttemptAt', 'giveUpAt', 'deliveredAt', 'deadAt', 'lastError', 'attempts'],
  properties: {
    id: { type: 'string', description: 'Decimal; also the cursor of the next page.' },
    notificationId: { type: 'string', description: `\`ntf_<hex>\`, as in the \`${WEBHOOK_ID_HEADER}\` header.` },
    kind: { type: 'string', enum: [...NOTIFICATION_KINDS] },
    accountId: { type: 'string' },
    channel: { type: 'string', enum: [...DELIVERY_CHANNELS] },
    targetId: { type: 'string', description: 'The endpoint (`wh_...`) or recipient (`em_...`).' },
    target: { type: 'string', description: 'Its URL or address when the notification was recorded.' },
    status: { type: 'string', enum: [...DELIVERY_STATUSES] },
    createdAt: time,
    nextAttemptAt: { ...nullableTime, description: 'Pending deliveries only.' },
    giveUpAt: { ...time, description: 'Not delivered by then: dead-lettered.' },
    deliveredAt: nullableTime,
    deadAt: nullableTime,
    lastError: { type: 'string', nullable: true },
    attempts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['attempt', 'startedAt', 'durationMs', 'outcome', 'statusCode', 'error'],
        properties: {
          attempt: { type: 'integer', minimum: 1 },
          startedAt: time,
          durationMs: { type: 'integer', minimum: 0 },
          outcome: { type: 'string', enum: ['delivered', 'failed'] },
          statusCode: { type: 'integer', nullable: true, description: 'The HTTP status or the SMTP reply code; null without an answer.' },
          error: { type: 'string', nullable: true },
        },
      },
    },
  },
};
