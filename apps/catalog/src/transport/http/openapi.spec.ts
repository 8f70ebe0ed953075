import { readFileSync } from 'node:fs';
import { documentText, previewOpenApiDocument } from '@credence/platform-openapi';
import { CatalogModule } from '../../catalog.module.js';
import { catalogOpenApi } from './openapi.js';

describe('the catalog OpenAPI document', () => {
  it('given the controllers as they are, then docs/api/catalog.openapi.json is their document (else: npm run openapi)', async () => {
    const committed = readFileSync(new URL('../../../../../docs/api/catalog.openapi.json', import.meta.url), 'utf8');
    expect(documentText(await previewOpenApiDocument(CatalogModule, catalogOpenApi))).toBe(committed);
  });
});
