import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { subject } from '@credence/contracts';
import { createLogger } from '@credence/platform-observability';
import { JetStreamServer } from '@credence/platform-messaging';
import { serveOpenApi } from '@credence/platform-openapi';
import { BusyFilter } from '@credence/platform-runtime';
import { loadCatalogConfig } from './config/catalog-config.js';
import { CatalogModule } from './catalog.module.js';
import { catalogOpenApi } from './transport/http/openapi.js';

const config = loadCatalogConfig();
const logger = createLogger({ name: 'catalog' });
const ns = { prefix: config.NATS_PREFIX };

// A catalog document is a few KiB; 1 MiB leaves room for large rate cards.
const app = await NestFactory.create<NestFastifyApplication>(CatalogModule, new FastifyAdapter({ bodyLimit: 1_048_576 }), {
  logger: config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? ['error', 'warn', 'log', 'debug'] : ['error', 'warn'],
});
app.enableShutdownHooks();
// Saturated (no database connection in time): 503 with Retry-After rather than a 500.
app.useGlobalFilters(new BusyFilter(app.getHttpAdapter()));
serveOpenApi(app, catalogOpenApi(app));
app.connectMicroservice(
  {
    strategy: new JetStreamServer({
      connection: { servers: [config.NATS_URL], name: 'credence-catalog-transport' },
      queue: 'catalog',
      subjectFor: (pattern) => subject(ns, pattern),
      consumers: [],
    }),
  },
  { inheritAppConfig: true },
);
await app.startAllMicroservices();
await app.listen(config.PORT, '0.0.0.0');
logger.info({ port: config.PORT, schema: config.CATALOG_SCHEMA, prefix: config.NATS_PREFIX }, 'catalog ready');
