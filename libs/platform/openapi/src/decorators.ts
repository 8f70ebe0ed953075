import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiForbiddenResponse,
  ApiQuery,
  ApiSecurity,
  ApiUnauthorizedResponse,
  type ApiResponseOptions,
} from '@nestjs/swagger';
import { classSchema, SCHEMA_PREFIX, type SchemaObject } from './schemas.js';
import { BEARER_SCHEME, HEADER_SCHEME } from './document.js';
export { INVALID_REQUEST_SCHEMA } from './invalid-request.js';

type Dto = new () => object;

/** A reference to the DTO's schema, which the document derives from its validation rules. */
export const ref = (dto: Dto): { $ref: string } => ({ $ref: `${SCHEMA_PREFIX}${dto.name}` });

const INVALID_REQUEST_REF = { $ref: `${SCHEMA_PREFIX}InvalidRequest` };

/** The request body is the DTO (or a schema built of DTO references); a 400 names the fields. */
export function ApiBodyFrom(dto: Dto | SchemaObject, description?: string): MethodDecorator {
  return applyDecorators(
    ApiBody({ schema: typeof dto === 'function' ? ref(dto) : dto, ...(description === undefined ? {} : { description }) }),
    ApiBadRequestResponse({ description: 'Invalid body: every field and rule that failed.', schema: INVALID_REQUEST_REF }),
  );
}

/** Each property of the query DTO as a query parameter, with its rules. */
export function ApiQueryFrom(dto: Dto): MethodDecorator {
  const schema = classSchema(dto);
  const required = new Set(schema.required ?? []);
  return applyDecorators(
    ...Object.entries(schema.properties ?? {}).map(([name, property]) =>
      ApiQuery({ name, required: required.has(name), schema: property as SchemaObject }),
    ),
    ApiBadRequestResponse({ description: 'Invalid query: every parameter and rule that failed.', schema: INVALID_REQUEST_REF }),
  );
}

/** Routes behind an API key, as a bearer token or in `x-api-key`. */
export function ApiKeyAuth(forbidden = 'The key does not cover this account (or is not an admin key).'): ClassDecorator & MethodDecorator {
  return applyDecorators(
    ApiBearerAuth(BEARER_SCHEME),
    ApiSecurity(HEADER_SCHEME),
    ApiUnauthorizedResponse({ description: 'No key, an unknown key or a revoked key (the same answer for each).' }),
    ApiForbiddenResponse({ description: forbidden }),
  );
}

/** A response whose body is described inline. */
export const body = (description: string, schema: SchemaObject): ApiResponseOptions => ({ description, schema });
