import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { subject } from '@credence/contracts';
import { createLogger } from '@credence/platform-observability';
import { JetStreamServer } from '@credence/platform-messaging';
import { serveOpenApi } from '@credence/platform-openapi';
import { BusyFilter } from '@credence/platform-runtime';
import { loadRechargeConfig } from './config/recharge-config.js';
import { balanceLowConsumer, ledgerStreamName } from './config/streams.js';
import { RechargeModule } from './recharge.module.js';
import { rechargeOpenApi } from './transport/http/openapi.js';
import { BALANCE_LOW_PATTERN } from './transport/nats/balance-low.handler.js';

const config = loadRechargeConfig();
const logger = createLogger({ name: 'recharge' });
const ns = { prefix: config.NATS_PREFIX };

const app = await NestFactory.create<NestFastifyApplication>(RechargeModule, new FastifyAdapter({ bodyLimit: 65_536 }), {
  logger: config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? ['error', 'warn', 'log', 'debug'] : ['error', 'warn'],
  // The gateway's callbacks are verified against the exact bytes it signed.
  rawBody: true,
});
app.enableShutdownHooks();
// Saturated (no database connection in time): 503 with Retry-After rather than a 500.
app.useGlobalFilters(new BusyFilter(app.getHttpAdapter()));
serveOpenApi(app, rechargeOpenApi(app));
app.connectMicroservice(
  {
    strategy: new JetStreamServer({
      connection: { servers: [config.NATS_URL], name: 'credence-recharge-transport' },
      queue: 'recharge',
      subjectFor: (pattern) => subject(ns, pattern),
      consumers: [
        {
          pattern: BALANCE_LOW_PATTERN,
          stream: ledgerStreamName(ns),
          durable: balanceLowConsumer(ns, config).durable,
          batchSize: config.BALANCE_LOW_BATCH_SIZE,
          fetchExpiresMs: config.BALANCE_LOW_FETCH_EXPIRES_MS,
        },
      ],
    }),
  },
  { inheritAppConfig: true },
);
await app.startAllMicroservices();
await app.listen(config.PORT, '0.0.0.0');
logger.info({ port: config.PORT, schema: config.RECHARGE_SCHEMA, prefix: config.NATS_PREFIX, gateway: config.GATEWAY }, 'recharge ready');
