// This lib must not import any other workspace lib: every lib's tests import it, so any such
// import would close a dependency cycle in the project graph.
export { uniqueName, testDatabaseUrl, testNatsUrl, DEFAULT_TEST_DATABASE_URL, DEFAULT_TEST_NATS_URL } from './names.js';
export { createTestSchema, type TestSchema } from './schema.js';
export { waitFor, WAIT_FOR_DEFAULTS, type WaitForOptions } from './wait-for.js';
export {
  spawnProcess,
  stopAll,
  SPAWN_DEFAULTS,
  type SpawnOptions,
  type SpawnedProcess,
  type ProcessExit,
} from './process.js';
export { TEST_ADMIN_KEY } from './auth.js';
export { freePort } from './ports.js';
export { callJson, type HttpReply } from './http.js';
