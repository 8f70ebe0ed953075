import type { INestApplication } from '@nestjs/common';
import { buildOpenApiDocument, type SchemaObject } from '@credence/platform-openapi';

export const CATALOG_API = {
  title: 'Credence catalog',
  description:
    'Plans, credit packs and rate cards, versioned by effective date: load a catalog (admin), read it, price one usage (quote) and compare plans for a monthly mix (simulate). ' +
    'Prices are exact integers, rounded up once per priced event.',
  version: '1',
};

export const catalogOpenApi = (app: INestApplication) => buildOpenApiDocument(app, CATALOG_API);

export const REFUSED: SchemaObject = {
  type: 'object',
  required: ['status', 'reason'],
  properties: { status: { type: 'string', enum: ['refused'] }, reason: { type: 'string', example: 'UNKNOWN_MODEL' }, detail: { type: 'string' } },
};

export const PRICED: SchemaObject = {
  type: 'object',
  required: ['status', 'catalogId', 'revision', 'credits', 'exact', 'rateCardId', 'versionId', 'breakdown'],
  properties: {
    status: { type: 'string', enum: ['priced'] },
    catalogId: { type: 'string' },
    revision: { type: 'integer' },
    credits: { type: 'string', pattern: '^(0|[1-9][0-9]*)$', description: 'The charge: `exact` rounded up once.' },
    exact: { type: 'string', description: 'An integer or a reduced fraction such as "1/2".' },
    rateCardId: { type: 'string' },
    versionId: { type: 'string', description: 'The rate card version in force at `at`; it travels with the charge into the ledger.' },
    breakdown: { type: 'array', items: { type: 'object', required: ['item', 'credits'], properties: { item: { type: 'string' }, credits: { type: 'string' } } } },
  },
};

export const CATALOG_DOCUMENT: SchemaObject = {
  type: 'object',
  required: ['id', 'currencies', 'plans', 'packs', 'rateCards'],
  description: 'A whole catalog: plans, packs and rate cards with their versions. The examples in `deploy/catalogs/*.json` are complete documents.',
  additionalProperties: true,
};
