// Test support for end-to-end tests: a real catalog process (the built dist/) on a schema and a
// NATS prefix of its own, and the means to drive and inspect it from outside.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { CATALOG_EVENTS_STREAM, CATALOG_QUOTE_SUBJECT, streamName, subject, type Namespace, type QuoteReply } from '@credence/contracts';
import { callJson, createTestSchema, spawnProcess, TEST_ADMIN_KEY, testDatabaseUrl, testNatsUrl, uniqueName, type HttpReply, type SpawnedProcess, type TestSchema, freePort } from '@credence/testing';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CATALOG_MAIN = `${REPO_ROOT}dist/apps/catalog/src/main.js`;
const NODE = `${REPO_ROOT}node_modules/.bin/node`;

export type { HttpReply };

/** A seed catalog of deploy/catalogs as parsed JSON. */
export const seedCatalog = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(`${REPO_ROOT}deploy/catalogs/${name}.json`, 'utf8')) as Record<string, unknown>;

/** One catalog process with its schema and prefix; `close()` stops it and removes them. */
export class CatalogDeployment {
  readonly ns: Namespace;
  readonly eventStream: string;
  private proc: SpawnedProcess | undefined;
  url = '';

  private constructor(
    readonly schema: TestSchema,
    readonly prefix: string,
    readonly nc: NatsConnection,
    readonly jsm: JetStreamManager,
  ) {
    this.ns = { prefix };
    this.eventStream = streamName(this.ns, CATALOG_EVENTS_STREAM);
  }

  static async create(name: string): Promise<CatalogDeployment> {
    const schema = await createTestSchema(`e2e_${name}`);
    const prefix = uniqueName(name).replace(/_/g, '');
    const nc = await connect({ servers: [testNatsUrl()], name: `catalog-e2e-${name}` });
    return new CatalogDeployment(schema, prefix, nc, await jetstreamManager(nc));
  }

  async start(env: Record<string, string> = {}): Promise<void> {
    const port = await freePort();
    this.proc = await spawnProcess({
      command: NODE,
      args: [CATALOG_MAIN],
      cwd: REPO_ROOT,
      env: {
        OTEL_SDK_DISABLED: 'true',
        LOG_LEVEL: 'info',
        DB_POOL_MAX: '3',
        DATABASE_URL: testDatabaseUrl(),
        NATS_URL: testNatsUrl(),
        CATALOG_SCHEMA: this.schema.schema,
        NATS_PREFIX: this.prefix,
        PORT: String(port),
        CREDENCE_ADMIN_KEY: TEST_ADMIN_KEY,
        ...env,
      },
      readyLine: /"msg":"catalog ready"/,
      readyTimeoutMs: 30_000,
    });
    this.url = `http://127.0.0.1:${port}`;
  }

  call<T = unknown>(method: string, path: string, body?: unknown): Promise<HttpReply<T>> {
    return callJson<T>(TEST_ADMIN_KEY, method, `${this.url}${path}`, body);
  }

  async requestQuote(body: unknown, timeoutMs = 10_000): Promise<QuoteReply> {
    const msg = await this.nc.request(subject(this.ns, CATALOG_QUOTE_SUBJECT), Buffer.from(JSON.stringify(body)), { timeout: timeoutMs });
    return JSON.parse(Buffer.from(msg.data).toString('utf8')) as QuoteReply;
  }

  async close(): Promise<void> {
    await this.proc?.stop();
    await this.jsm.streams.delete(this.eventStream).catch(() => false);
    await this.nc.close();
    await this.schema.drop();
  }
}

