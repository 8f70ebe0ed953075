import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { subject } from '@credence/contracts';
import { createLogger } from '@credence/platform-observability';
import { JetStreamServer } from '@credence/platform-messaging';
import { serveOpenApi } from '@credence/platform-openapi';
import { BusyFilter } from '@credence/platform-runtime';
import { loadLedgerConfig } from './config/ledger-config.js';
import { commandConsumer, commandStream } from './config/streams.js';
import { LedgerModule } from './ledger.module.js';
import { COMMANDS_PATTERN } from './transport/nats/commands.handler.js';
import { ledgerOpenApi } from './transport/http/openapi.js';

const config = loadLedgerConfig();
const logger = createLogger({ name: 'ledger' });
const ns = { prefix: config.NATS_PREFIX };

const app = await NestFactory.create<NestFastifyApplication>(LedgerModule, new FastifyAdapter({ bodyLimit: 1_048_576 }), {
  // Nest's own start-up chatter (every route, every module) only at debug; problems always.
  logger: config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? ['error', 'warn', 'log', 'debug'] : ['error', 'warn'],
});
app.enableShutdownHooks();
// Saturated (no database connection in time): 503 with Retry-After rather than a 500.
app.useGlobalFilters(new BusyFilter(app.getHttpAdapter()));
serveOpenApi(app, ledgerOpenApi(app));
app.connectMicroservice(
  {
    strategy: new JetStreamServer({
      connection: { servers: [config.NATS_URL], name: 'credence-ledger-transport' },
      queue: 'ledger',
      subjectFor: (pattern) => subject(ns, pattern),
      consumers: [
        {
          pattern: COMMANDS_PATTERN,
          stream: commandStream(ns, config).name,
          durable: commandConsumer(ns, config).durable,
          batchSize: config.COMMAND_BATCH_SIZE,
          fetchExpiresMs: config.COMMAND_FETCH_EXPIRES_MS,
        },
      ],
    }),
  },
  { inheritAppConfig: true },
);
await app.startAllMicroservices();
await app.listen(config.PORT, '0.0.0.0');
logger.info({ port: config.PORT, schema: config.LEDGER_SCHEMA, prefix: config.NATS_PREFIX }, 'ledger ready');
