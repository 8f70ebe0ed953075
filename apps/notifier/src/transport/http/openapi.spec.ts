import { readFileSync } from 'node:fs';
import { documentText, previewOpenApiDocument } from '@credence/platform-openapi';
import { NotifierModule } from '../../notifier.module.js';
import { notifierOpenApi } from './openapi.js';

describe('the notifier OpenAPI document', () => {
  it('given the controllers as they are, then docs/api/notifier.openapi.json is their document (else: regenerate it)', async () => {
    const committed = readFileSync(new URL('../../../../../docs/api/notifier.openapi.json', import.meta.url), 'utf8');
    expect(documentText(await previewOpenApiDocument(NotifierModule, notifierOpenApi))).toBe(committed);
  });
});
