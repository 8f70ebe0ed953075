export { buildOpenApiDocument, documentText, previewOpenApiDocument, printOpenApi, serveOpenApi, OPENAPI_PATHS, type ApiInfo } from './document.js';
export { ApiBodyFrom, ApiKeyAuth, ApiQueryFrom, INVALID_REQUEST_SCHEMA, body, ref } from './decorators.js';
export { allClassSchemas, classSchema, SCHEMA_PREFIX, type SchemaObject } from './schemas.js';
