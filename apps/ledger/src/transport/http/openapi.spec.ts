import { readFileSync } from 'node:fs';
import { documentText, previewOpenApiDocument } from '@credence/platform-openapi';
import { LedgerModule } from '../../ledger.module.js';
import { ledgerOpenApi } from './openapi.js';

describe('the ledger OpenAPI document', () => {
  it('given the controllers as they are, then docs/api/ledger.openapi.json is their document (else: npm run openapi)', async () => {
    const committed = readFileSync(new URL('../../../../../docs/api/ledger.openapi.json', import.meta.url), 'utf8');
    expect(documentText(await previewOpenApiDocument(LedgerModule, ledgerOpenApi))).toBe(committed);
  });
});
