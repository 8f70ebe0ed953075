import type { SchemaObject } from './schemas.js';

/** The body every 400 carries: each field that failed and the rule it broke. */
export const INVALID_REQUEST_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['error', 'issues'],
  properties: {
    error: { type: 'string', enum: ['invalid_request'] },
    issues: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'rule', 'message'],
        properties: { field: { type: 'string', example: 'estimate.inputTokens' }, rule: { type: 'string', example: 'isAmount' }, message: { type: 'string' } },
      },
    },
  },
};
