import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { subject } from '@credence/contracts';
import { createLogger } from '@credence/platform-observability';
import { JetStreamServer } from '@credence/platform-messaging';
import { serveOpenApi } from '@credence/platform-openapi';
import { BusyFilter } from '@credence/platform-runtime';
import { loadMeteringConfig } from './config/metering-config.js';
import { usageConsumer, usageStream } from './config/streams.js';
import { MeteringModule } from './metering.module.js';
import { meteringOpenApi } from './transport/http/openapi.js';
import { USAGE_PATTERN } from './transport/nats/usage.handler.js';

const config = loadMeteringConfig();
const logger = createLogger({ name: 'metering' });
const ns = { prefix: config.NATS_PREFIX };

// A batch of 1000 usage events is a few hundred KiB; 2 MiB leaves room.
const app = await NestFactory.create<NestFastifyApplication>(MeteringModule, new FastifyAdapter({ bodyLimit: 2_097_152 }), {
  logger: config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? ['error', 'warn', 'log', 'debug'] : ['error', 'warn'],
});
app.enableShutdownHooks();
// Saturated (no database connection in time): 503 with Retry-After rather than a 500.
app.useGlobalFilters(new BusyFilter(app.getHttpAdapter()));
serveOpenApi(app, meteringOpenApi(app));
app.connectMicroservice(
  {
    strategy: new JetStreamServer({
      connection: { servers: [config.NATS_URL], name: 'credence-metering-transport' },
      queue: 'metering',
      subjectFor: (pattern) => subject(ns, pattern),
      consumers: [
        {
          pattern: USAGE_PATTERN,
          stream: usageStream(ns, config).name,
          durable: usageConsumer(config).durable,
          batchSize: config.USAGE_BATCH_SIZE,
          fetchExpiresMs: config.USAGE_FETCH_EXPIRES_MS,
        },
      ],
    }),
  },
  { inheritAppConfig: true },
);
await app.startAllMicroservices();
await app.listen(config.PORT, '0.0.0.0');
logger.info({ port: config.PORT, schema: config.METERING_SCHEMA, prefix: config.NATS_PREFIX }, 'metering ready');
