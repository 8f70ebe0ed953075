import { createRequire } from 'node:module';
import { ValidationTypes } from 'class-validator';
import { MAX_DIMENSIONS } from '@credence/contracts';
import { MAX_AMOUNT } from '@credence/kernel';
import { targetConstructorToSchema, validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { defaultConverters } from 'class-validator-jsonschema/build/defaultConverters.js';
import type { IOptions } from 'class-validator-jsonschema/build/options.js';
import type { ISchemaConverters } from 'class-validator-jsonschema/build/defaultConverters.js';
import type { OpenAPIObject } from '@nestjs/swagger';

type AnySchema = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string];
export type ReferenceObject = Extract<AnySchema, { $ref: string }>;
export type SchemaObject = Exclude<AnySchema, ReferenceObject>;

export const SCHEMA_PREFIX = '#/components/schemas/';

/**
 * The schemas are derived from the class-validator rules the edges already enforce, so the
 * documents cannot drift from what the services accept: no property is described twice.
 */

interface Discriminator {
  property: string;
  subTypes: { name: string; value: new () => object }[];
}
interface TypeMetadataStorage {
  findTypeMetadata(target: object, property: string): { options?: { discriminator?: Discriminator } } | undefined;
}
// class-transformer's registry is a CommonJS singleton: it must be the instance the DTOs registered in.
const transformerStorage = (createRequire(import.meta.url)('class-transformer/cjs/storage.js') as { defaultMetadataStorage: TypeMetadataStorage })
  .defaultMetadataStorage;

/** Wire formats of the contracts' own validators, by decorator name. */
const CUSTOM_FORMATS: Record<string, (constraints: unknown[]) => SchemaObject> = {
  isAmount: (c) => ({
    type: 'string',
    pattern: c[0] === true ? '^(0|[1-9][0-9]*)$' : '^[1-9][0-9]*$',
    description: `a ${c[0] === true ? 'non-negative' : 'positive'} integer as a decimal string (credits, tokens, units), at most ${MAX_AMOUNT}`,
    example: '1500',
  }),
  isDimensions: () => ({
    type: 'object',
    maxProperties: MAX_DIMENSIONS,
    additionalProperties: { type: 'string', minLength: 1, maxLength: 100 },
    description: 'Option names ("4k") or measures as decimal strings ("505"), by dimension.',
    example: { duration: '45', format: '4k' },
  }),
  isTimestamp: () => ({ type: 'string', format: 'date-time', description: 'RFC 3339 with an offset', example: '2026-11-21T08:00:00Z' }),
};

type Converter = Extract<ISchemaConverters[string], (...args: never[]) => unknown>;

// Seen while converting: each subtype of a discriminated union then accepts its own tag only.
const seenDiscriminators = new Set<Discriminator>();

// A property typed by a discriminator (`@Type(() => Base, { discriminator })`) is one of the subtypes.
const nestedValidation: Converter = (meta, options) => {
  const discriminator = transformerStorage.findTypeMetadata(meta.target as object, meta.propertyName)?.options?.discriminator;
  if (discriminator) {
    seenDiscriminators.add(discriminator);
    return {
      oneOf: discriminator.subTypes.map((s) => ({ $ref: `${SCHEMA_PREFIX}${s.value.name}` })),
      discriminator: {
        propertyName: discriminator.property,
        mapping: Object.fromEntries(discriminator.subTypes.map((s) => [s.name, `${SCHEMA_PREFIX}${s.value.name}`])),
      },
    };
  }
  const fallback = defaultConverters[ValidationTypes.NESTED_VALIDATION];
  return typeof fallback === 'function' ? fallback(meta, options) : fallback;
};

const options: Partial<IOptions> = {
  refPointerPrefix: SCHEMA_PREFIX,
  classTransformerMetadataStorage: transformerStorage as unknown as IOptions['classTransformerMetadataStorage'],
  additionalConverters: {
    // Custom validators are converted under their decorator's name.
    ...Object.fromEntries(Object.entries(CUSTOM_FORMATS).map(([name, format]) => [name, ((meta) => format(meta.constraints ?? []) as ReturnType<Converter>) satisfies Converter])),
    [ValidationTypes.NESTED_VALIDATION]: nestedValidation,
  },
};

/** In OpenAPI 3.0 a `$ref` stands alone: keywords beside it are ignored, so they are dropped. */
function tidy(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(tidy);
  if (schema === null || typeof schema !== 'object') return schema;
  const o = schema as Record<string, unknown>;
  if (typeof o['$ref'] === 'string') return { $ref: o['$ref'] };
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, tidy(v)]));
}

/** Every class with class-validator rules, as a schema named after the class. */
export function allClassSchemas(): Record<string, SchemaObject> {
  const schemas = validationMetadatasToSchemas(options) as Record<string, SchemaObject>;
  // validatePlain refuses fields a DTO does not declare.
  for (const schema of Object.values(schemas)) schema.additionalProperties = false;
  for (const d of seenDiscriminators) {
    for (const s of d.subTypes) {
      const schema = schemas[s.value.name];
      if (schema?.properties) schema.properties[d.property] = { type: 'string', enum: [s.name] };
    }
  }
  return tidy(schemas) as Record<string, SchemaObject>;
}

/** One class's schema (its nested classes as references). */
export function classSchema(cls: new () => object): SchemaObject {
  return tidy(targetConstructorToSchema(cls, options)) as SchemaObject;
}
