import { readFileSync } from 'node:fs';
import { documentText, previewOpenApiDocument } from '@credence/platform-openapi';
import { MeteringModule } from '../../metering.module.js';
import { meteringOpenApi } from './openapi.js';

describe('the metering OpenAPI document', () => {
  it('given the controllers as they are, then docs/api/metering.openapi.json is their document (else: npm run openapi)', async () => {
    const committed = readFileSync(new URL('../../../../../docs/api/metering.openapi.json', import.meta.url), 'utf8');
    expect(documentText(await previewOpenApiDocument(MeteringModule, meteringOpenApi))).toBe(committed);
  });
});
