import { readFileSync } from 'node:fs';
import { documentText, previewOpenApiDocument } from '@credence/platform-openapi';
import { RechargeModule } from '../../recharge.module.js';
import { rechargeOpenApi } from './openapi.js';

describe('the recharge OpenAPI document', () => {
  it('given the controllers as they are, then docs/api/recharge.openapi.json is their document (else: regenerate it)', async () => {
    const committed = readFileSync(new URL('../../../../../docs/api/recharge.openapi.json', import.meta.url), 'utf8');
    expect(documentText(await previewOpenApiDocument(RechargeModule, rechargeOpenApi))).toBe(committed);
  });
});
