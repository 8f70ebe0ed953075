import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger } from '@credence/platform-observability';
import { serveOpenApi } from '@credence/platform-openapi';
import { BusyFilter } from '@credence/platform-runtime';
import { loadNotifierConfig } from './config/notifier-config.js';
import { NotifierModule } from './notifier.module.js';
import { notifierOpenApi } from './transport/http/openapi.js';

const config = loadNotifierConfig();
const logger = createLogger({ name: 'notifier' });

const app = await NestFactory.create<NestFastifyApplication>(NotifierModule, new FastifyAdapter({ bodyLimit: 65_536 }), {
  logger: config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? ['error', 'warn', 'log', 'debug'] : ['error', 'warn'],
});
app.enableShutdownHooks();
// Saturated (no database connection in time): 503 with Retry-After rather than a 500.
app.useGlobalFilters(new BusyFilter(app.getHttpAdapter()));
serveOpenApi(app, notifierOpenApi(app));
await app.listen(config.PORT, '0.0.0.0');
logger.info({ port: config.PORT, schema: config.NOTIFIER_SCHEMA, prefix: config.NATS_PREFIX, email: config.SMTP_URL !== '' }, 'notifier ready');
