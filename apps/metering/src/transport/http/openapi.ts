import type { INestApplication } from '@nestjs/common';
import { MAX_USAGE_BATCH, METERING_REFUSALS, UsageEventDto } from '@credence/contracts';
import { buildOpenApiDocument, ref, type SchemaObject } from '@credence/platform-openapi';

export const METERING_API = {
  title: 'Credence metering',
  description:
    'Admission of workloads against balances and fair-use limits, settlement of what they really used, post-paid usage, refunds, account settings and API keys. ' +
    'Amounts are decimal strings of integers. Every request needs an API key; workload routes need one covering the account.',
  version: '1',
};

export const meteringOpenApi = (app: INestApplication) => buildOpenApiDocument(app, METERING_API);

const amount: SchemaObject = { type: 'string', pattern: '^(0|[1-9][0-9]*)$', example: '1500' };

export const SUBSCRIPTION: SchemaObject = {
  type: 'object',
  required: ['accountId', 'catalogId', 'planId'],
  properties: { accountId: { type: 'string' }, catalogId: { type: 'string' }, planId: { type: 'string' } },
};

export const SUBSCRIBED: SchemaObject = {
  ...SUBSCRIPTION,
  required: ['accountId', 'catalogId', 'planId', 'allocationCredits'],
  properties: {
    ...SUBSCRIPTION.properties,
    allocationCredits: { ...amount, description: "The plan's monthly credits, now the account's free monthly allowance in the ledger." },
  },
};

export const AUTHORIZE_APPROVED: SchemaObject = {
  type: 'object',
  required: ['status', 'holdId', 'credits', 'expiresAt', 'priceVersion'],
  properties: {
    status: { type: 'string', enum: ['approved'] },
    holdId: { type: 'string', description: 'Settle it with `POST /v1/authorizations/{holdId}/settle`.' },
    credits: { ...amount, description: 'Credits held: the priced estimate.' },
    expiresAt: { type: 'string', format: 'date-time', description: 'Unsettled by then, the hold is released and nothing is charged.' },
    priceVersion: { type: 'string', description: 'The catalog version that priced the estimate.' },
  },
};

export const REFUSED: SchemaObject = {
  type: 'object',
  required: ['status', 'reason'],
  properties: {
    status: { type: 'string', enum: ['refused'] },
    reason: { type: 'string', enum: [...METERING_REFUSALS] },
    detail: { type: 'string' },
  },
};

export const SETTLED: SchemaObject = {
  type: 'object',
  required: ['status', 'holdId', 'outcome', 'credits', 'captured', 'excess', 'priceVersion'],
  properties: {
    status: { type: 'string', enum: ['settled'] },
    holdId: { type: 'string' },
    outcome: { type: 'string', enum: ['succeeded', 'failed'] },
    credits: { ...amount, description: 'Everything charged: captured + excess.' },
    captured: { ...amount, description: 'Taken from the hold; the rest of it is released.' },
    excess: { ...amount, description: 'Real cost above the hold, recorded as post-paid usage.' },
    priceVersion: { type: 'string', nullable: true },
  },
};

const USAGE_RECORDED: SchemaObject = {
  type: 'object',
  required: ['status', 'key', 'accountId', 'credits', 'priceVersion'],
  properties: {
    status: { type: 'string', enum: ['recorded'] },
    key: { type: 'string' },
    accountId: { type: 'string' },
    credits: amount,
    priceVersion: { type: 'string', nullable: true },
  },
};

// Batch events are validated one by one (a bad one does not sink the rest), so the batch DTO only
// bounds the array: the document says what each item must be.
export const USAGE_BODY: SchemaObject = {
  oneOf: [
    ref(UsageEventDto),
    {
      type: 'object',
      required: ['events'],
      additionalProperties: false,
      properties: { events: { type: 'array', minItems: 1, maxItems: MAX_USAGE_BATCH, items: ref(UsageEventDto) } },
    },
  ],
};

export const USAGE_ANSWER: SchemaObject = {
  oneOf: [
    USAGE_RECORDED,
    {
      type: 'object',
      description: 'A batch: one result per event, in order. Invalid or refused events do not stop the others.',
      required: ['results'],
      properties: { results: { type: 'array', items: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['recorded', 'refused', 'conflict', 'invalid', 'unavailable'] } } } } },
    },
  ],
};

export const KEY_SCOPE: SchemaObject = {
  oneOf: [
    { type: 'object', required: ['kind'], properties: { kind: { type: 'string', enum: ['admin'] } } },
    {
      type: 'object',
      required: ['kind', 'accountIds'],
      properties: { kind: { type: 'string', enum: ['accounts'] }, accountIds: { type: 'array', minItems: 1, items: { type: 'string' } } },
    },
    { type: 'object', required: ['kind', 'tenant'], properties: { kind: { type: 'string', enum: ['tenant'] }, tenant: { type: 'string', description: 'Covers every account id starting with `<tenant>:`.' } } },
  ],
};

export const API_KEY_VIEW: SchemaObject = {
  type: 'object',
  required: ['id', 'scope', 'label', 'createdAt', 'revokedAt'],
  properties: {
    id: { type: 'string' },
    scope: KEY_SCOPE,
    label: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    revokedAt: { type: 'string', format: 'date-time', nullable: true },
  },
};
