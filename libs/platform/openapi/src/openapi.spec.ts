import { Body, Controller, Get, Module, Post, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, Max, ValidateNested } from 'class-validator';
import { IsAmount, IsTimestamp, USAGE_TYPE, UsageBaseDto, type UsageDto } from '@credence/contracts';
import { ApiBodyFrom, ApiKeyAuth, ApiQueryFrom } from './decorators.js';
import { buildOpenApiDocument, documentText, previewOpenApiDocument } from './document.js';
import { classSchema, type SchemaObject } from './schemas.js';

class SpecChargeDto {
  @IsAmount() amount!: string;
  @IsAmount({ allowZero: true }) tokens!: string;
  @IsOptional() @IsTimestamp() at?: string;
  @IsObject() @ValidateNested() @Type(() => UsageBaseDto, USAGE_TYPE) usage!: UsageDto;
}

class SpecQuery {
  @IsString() accountId!: string;
  @IsOptional() @IsInt() @Max(10) limit?: number;
}

class SpecUnregisteredDto {
  name!: string;
}

@ApiKeyAuth()
@Controller('spec')
class SpecController {
  @ApiBodyFrom(SpecChargeDto)
  @Post('charges')
  charge(@Body() body: unknown) {
    return body;
  }

  @ApiQueryFrom(SpecQuery)
  @Get('things')
  things(@Query() q: unknown) {
    return q;
  }
}

@Controller('broken')
class BrokenController {
  @ApiBodyFrom(SpecUnregisteredDto)
  @Post()
  post(@Body() body: unknown) {
    return body;
  }
}

@Module({ controllers: [SpecController] })
class SpecModule {}

@Module({ controllers: [BrokenController] })
class BrokenModule {}

const INFO = { title: 'spec', description: 'spec', version: '1' };

describe('schemas from validation rules', () => {
  const schema = classSchema(SpecChargeDto);
  const props = schema.properties as Record<string, SchemaObject>;

  it('given IsAmount, then the property is a decimal string, positive or non-negative as the rule says', () => {
    expect(props['amount']).toMatchObject({ type: 'string', pattern: '^[1-9][0-9]*$' });
    expect(props['tokens']).toMatchObject({ type: 'string', pattern: '^(0|[1-9][0-9]*)$' });
  });

  it('given IsTimestamp, then the property is a date-time, and optional properties are not required', () => {
    expect(props['at']).toMatchObject({ type: 'string', format: 'date-time' });
    expect(schema.required).toEqual(expect.arrayContaining(['amount', 'tokens', 'usage']));
    expect(schema.required).not.toContain('at');
  });

  it('given a discriminated nested type, then it is one of the subtypes with a mapping by tag', () => {
    expect(props['usage']).toMatchObject({
      oneOf: [{ $ref: '#/components/schemas/TokensUsageDto' }, { $ref: '#/components/schemas/UnitsUsageDto' }, { $ref: '#/components/schemas/FeatureUsageDto' }],
      discriminator: { propertyName: 'kind', mapping: { tokens: '#/components/schemas/TokensUsageDto' } },
    });
  });
});

describe('the document', () => {
  it('given a module, then its routes carry the body, query and key rules, and every referenced schema is present and closed', async () => {
    const doc = await previewOpenApiDocument(SpecModule, (app) => buildOpenApiDocument(app, INFO));
    const post = doc.paths['/spec/charges']?.post;
    expect(post?.requestBody).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/SpecChargeDto' } } } });
    expect(Object.keys(post?.responses ?? {})).toEqual(expect.arrayContaining(['400', '401', '403']));
    expect(post?.security).toEqual([{ bearer: [] }, { 'x-api-key': [] }]);
    const params = doc.paths['/spec/things']?.get?.parameters ?? [];
    expect(params).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'accountId', in: 'query', required: true }),
        expect.objectContaining({ name: 'limit', in: 'query', required: false, schema: expect.objectContaining({ type: 'integer', maximum: 10 }) as unknown }),
      ]),
    );
    const schemas = doc.components?.schemas as Record<string, SchemaObject>;
    expect(Object.keys(schemas)).toEqual(['FeatureUsageDto', 'InvalidRequest', 'SpecChargeDto', 'TokensUsageDto', 'UnitsUsageDto']);
    expect(schemas['SpecChargeDto']?.additionalProperties).toBe(false);
    // Each subtype accepts its own tag only.
    expect((schemas['UnitsUsageDto']?.properties as Record<string, SchemaObject>)['kind']).toEqual({ type: 'string', enum: ['units'] });
    // Nothing refers to a schema the document lacks.
    const refs = [...documentText(doc).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1] as string);
    for (const r of refs) expect(schemas).toHaveProperty([r]);
  });

  it('given a body class without validation rules, then building the document fails and names it', async () => {
    await expect(previewOpenApiDocument(BrokenModule, (app) => buildOpenApiDocument(app, INFO))).rejects.toThrow(/SpecUnregisteredDto/);
  });
});
