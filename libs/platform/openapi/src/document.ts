import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { allClassSchemas, SCHEMA_PREFIX, type SchemaObject } from './schemas.js';
import { INVALID_REQUEST_SCHEMA } from './invalid-request.js';

export interface ApiInfo {
  title: string;
  description: string;
  version: string;
}

/** Where every service serves its document: UI, JSON and YAML. */
export const OPENAPI_PATHS = { ui: 'api/docs', json: 'api/docs/openapi.json', yaml: 'api/docs/openapi.yaml' } as const;

export const BEARER_SCHEME = 'bearer';
export const HEADER_SCHEME = 'x-api-key';

/**
 * The service's OpenAPI document: routes from the controllers' decorators, request schemas from
 * the DTOs' class-validator rules (only the ones the document refers to, and what they refer to).
 */
export function buildOpenApiDocument(app: INestApplication, info: ApiInfo): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(info.title)
    .setDescription(info.description)
    .setVersion(info.version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer cred_<id>_<secret>`.' }, BEARER_SCHEME)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key', description: 'The same API key in `x-api-key`.' }, HEADER_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  const available: Record<string, SchemaObject> = { ...allClassSchemas(), InvalidRequest: INVALID_REQUEST_SCHEMA };
  const schemas: Record<string, SchemaObject> = { ...(document.components?.schemas as Record<string, SchemaObject> | undefined) };
  // Pull in every referenced class schema, transitively; a reference to nothing is a bug here.
  const pending = [...refsIn(document.paths)];
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (name in schemas && Object.keys(schemas[name]?.properties ?? {}).length > 0) continue;
    const schema = available[name];
    if (!schema) throw new Error(`OpenAPI: ${name} is referenced but is not a class with validation rules`);
    schemas[name] = schema;
    pending.push(...refsIn(schema));
  }
  return { ...document, components: { ...document.components, schemas: sortKeys(schemas) } };
}

/** Serves the document and a browsable UI (assets from the installed swagger-ui-dist, nothing fetched). */
export function serveOpenApi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup(OPENAPI_PATHS.ui, app, document, {
    jsonDocumentUrl: OPENAPI_PATHS.json,
    yamlDocumentUrl: OPENAPI_PATHS.yaml,
    swaggerOptions: { persistAuthorization: true },
  });
}

function refsIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) refsIn(v, found);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(SCHEMA_PREFIX)) found.add(v.slice(SCHEMA_PREFIX.length));
      else refsIn(v, found);
    }
  }
  return found;
}

const sortKeys = <T>(o: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

/**
 * The document of a module without running it: Nest's preview mode builds the module graph but
 * instantiates no provider, so no database or NATS is needed (`<service> openapi` in CI or docs).
 */
export async function previewOpenApiDocument(module: object, build: (app: INestApplication) => OpenAPIObject): Promise<OpenAPIObject> {
  const app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), { preview: true, logger: false, abortOnError: false });
  try {
    return build(app);
  } finally {
    await app.close();
  }
}

/** The committed form of a document (`docs/api/<service>.openapi.json`): stable, readable JSON. */
export const documentText = (document: OpenAPIObject): string => `${JSON.stringify(document, null, 2)}\n`;

/** `node main.js openapi`: the service's document on stdout. */
export async function printOpenApi(module: object, build: (app: INestApplication) => OpenAPIObject): Promise<void> {
  process.stdout.write(documentText(await previewOpenApiDocument(module, build)));
}
