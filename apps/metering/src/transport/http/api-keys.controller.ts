import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Inject, NotFoundException, Param, Post, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiBodyFrom, ApiKeyAuth } from '@credence/platform-openapi';
import { AdminOnly, ApiKeyGuard, CachedKeyStore, generateKey, isKeyScope } from '@credence/platform-auth';
import { ApiKeyQueries, type ApiKeyRow } from '@credence/metering-data-access';
import type { Clock } from '@credence/kernel';
import { CLOCK, KEY_STORE } from '../../metering.tokens.js';
import { API_KEY_VIEW, KEY_SCOPE } from './openapi.js';

const MAX_LABEL_LENGTH = 200;

const view = (r: ApiKeyRow) => ({ id: r.id, scope: r.scope, label: r.label, createdAt: r.createdAt.toISOString(), revokedAt: r.revokedAt?.toISOString() ?? null });

/** Admin only. The full key is in the creation answer and nowhere else, ever. */
@ApiTags('api keys')
@ApiKeyAuth('Not an admin key.')
@Controller('v1/admin/api-keys')
@UseGuards(ApiKeyGuard)
@AdminOnly()
export class ApiKeysController {
  constructor(
    @Inject(ApiKeyQueries) private readonly keys: ApiKeyQueries,
    @Inject(KEY_STORE) private readonly cache: CachedKeyStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @ApiOperation({ summary: 'Create a key; the answer is the only time the full key is shown' })
  @ApiBodyFrom({
    type: 'object',
    required: ['scope'],
    properties: { scope: KEY_SCOPE, label: { type: 'string', maxLength: MAX_LABEL_LENGTH } },
  })
  @ApiCreatedResponse({
    description: 'The key: `key` is `cred_<id>_<secret>`; only its hash is kept.',
    schema: { allOf: [API_KEY_VIEW, { type: 'object', required: ['key'], properties: { key: { type: 'string' } } }] },
  })
  @Post() @HttpCode(201)
  async create(@Body() body: unknown) {
    const b = (body ?? {}) as { scope?: unknown; label?: unknown };
    const issues = [];
    if (!isKeyScope(b.scope))
      issues.push({ field: 'scope', rule: 'isKeyScope', message: "scope must be { kind: 'admin' }, { kind: 'accounts', accountIds: [...] } or { kind: 'tenant', tenant }" });
    if (b.label !== undefined && (typeof b.label !== 'string' || b.label.length > MAX_LABEL_LENGTH))
      issues.push({ field: 'label', rule: 'maxLength', message: `label must be a string of at most ${MAX_LABEL_LENGTH} characters` });
    if (issues.length > 0) throw new BadRequestException({ error: 'invalid_request', issues });
    const g = generateKey();
    const row = await this.keys.insert({ id: g.id, hash: g.hash, scope: b.scope, label: typeof b.label === 'string' ? b.label : '' });
    return { ...view(row), key: g.key };
  }

  @ApiOperation({ summary: 'Every key, without secrets' })
  @ApiOkResponse({ schema: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: API_KEY_VIEW } } } })
  @Get()
  async list() {
    return { keys: (await this.keys.list()).map(view) };
  }

  @ApiOperation({ summary: 'Revoke a key', description: 'Metering refuses it at once; the ledger and the catalog within their AUTH_CACHE_MS.' })
  @ApiParam({ name: 'id', description: 'The key id (`cred_<id>_...`).' })
  @ApiOkResponse({ description: 'The revoked key.', schema: API_KEY_VIEW })
  @ApiNotFoundResponse({ description: 'No such key.' })
  @Delete(':id') @HttpCode(200)
  async revoke(@Param('id') id: string) {
    const row = await this.keys.revoke(id, new Date(this.clock.now()));
    if (!row) throw new NotFoundException({ error: 'not_found', id });
    this.cache.forget(id);
    return view(row);
  }
}
