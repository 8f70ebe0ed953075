export { createDatabase, createPool, poolOf, closeDatabase, DATABASE_DEFAULTS, type DatabaseOptions } from './database.js';
export { openMigratedDatabase, runMigrations, MIGRATION_DEFAULTS, type Migration, type RunMigrationsOptions } from './migrations.js';
export { assertSchemaName, isSchemaName, quoteIdent, SCHEMA_NAME_RULE, MAX_IDENTIFIER_LENGTH } from './identifiers.js';
