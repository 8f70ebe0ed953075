import { readFile } from 'node:fs/promises';
import { CATALOG_MIGRATIONS, CatalogQueries, type CatalogDatabase } from '@credence/catalog-data-access';
import { systemClock } from '@credence/kernel';
import { closeDatabase, createDatabase, runMigrations } from '@credence/platform-database';
import { connectNats, Publisher } from '@credence/platform-messaging';
import { LoadCatalog, type PublishCatalogEvent } from './application/load-catalog/load-catalog.js';
import { catalogEventPublisher } from './transport/nats/catalog-events.publisher.js';
import { loadCatalogConfig } from './config/catalog-config.js';

const USAGE = `usage: npm run catalog -- <command>
  load <file.json>    store the catalog as its next revision and announce it on
                      catalog.v1.catalog.published (running services refresh)
environment: DATABASE_URL, CATALOG_SCHEMA, NATS_URL, NATS_PREFIX`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

const [command, file, ...rest] = process.argv.slice(2);
if (command !== 'load') fail(command ? `unknown command: ${command}` : 'no command given');
if (!file || rest.length > 0) fail('load takes exactly one file');

const config = loadCatalogConfig();
const db = createDatabase<CatalogDatabase>({ connectionString: config.DATABASE_URL, schema: config.CATALOG_SCHEMA, poolMax: 2, applicationName: 'credence-catalog-cli' });
try {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    fail(`cannot read ${file} as JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  await runMigrations(db, { schema: config.CATALOG_SCHEMA, migrations: CATALOG_MIGRATIONS });
  const ns = { prefix: config.NATS_PREFIX };
  // The revision is the record; the notice is best effort here and repeated by the service at boot.
  const publish: PublishCatalogEvent = async (event, priceChange) => {
    try {
      const nc = await connectNats({ servers: [config.NATS_URL], name: 'credence-catalog-cli', connectTimeoutMs: 3_000 });
      try {
        await catalogEventPublisher(new Publisher(nc), ns)(event, priceChange);
      } finally {
        await nc.drain();
      }
    } catch (error) {
      process.stderr.write(`warning: stored, but not announced (${error instanceof Error ? error.message : String(error)}); the catalog service announces it at its next start\n`);
    }
  };
  const result = await new LoadCatalog(new CatalogQueries(db), systemClock, publish).execute(document);
  if (result.status === 'loaded') {
    process.stdout.write(`loaded ${result.catalogId} revision ${result.revision}\n`);
  } else {
    process.stderr.write(`${result.status === 'invalid' ? 'invalid catalog' : 'refused: it would change prices already in force'}:\n`);
    for (const i of result.issues) process.stderr.write(`  ${i.path}: ${i.rule}\n`);
    process.exitCode = 1;
  }
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await closeDatabase(db);
}
