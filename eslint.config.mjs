// ESLint 9 flat config: typescript-eslint's type-checked rules plus Nx module boundaries.
import { createProjectGraphAsync } from '@nx/devkit';
import nx from '@nx/eslint-plugin';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// @nx/enforce-module-boundaries only reads the cached project graph and silently skips itself when
// there is none (a fresh clone) or uses a stale one (a project added since). Building it here, in
// process, without the daemon or Nx Cloud, makes every ESLint run (CLI, Node API, editor) see the
// project.json files as they are now; Nx reuses its cache when nothing changed.
process.env.NX_DAEMON ??= 'false';
process.env.NX_NO_CLOUD ??= 'true';
await createProjectGraphAsync({ exitOnError: false });

const SERVICE_SCOPES = ['ledger', 'catalog', 'metering', 'recharge', 'notifier'];

// Domain code is pure: no framework, no I/O clients, no telemetry, no validation decorators.
const INFRASTRUCTURE_PACKAGES = [
  '@nestjs/*',
  'kysely',
  'pg',
  '@nats-io/*',
  'nats',
  '@opentelemetry/*',
  'class-validator',
  'class-transformer',
  'pino',
];

const typeConstraints = [
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:util'], bannedExternalImports: INFRASTRUCTURE_PACKAGES },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
  { sourceTag: 'type:contract', onlyDependOnLibsWithTags: ['type:util'] },
  { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:util', 'type:contract'] },
  { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:domain', 'type:util', 'type:platform', 'type:contract'] },
  { sourceTag: 'type:testing', notDependOnLibsWithTags: ['type:app'] },
  { sourceTag: 'type:app', notDependOnLibsWithTags: ['type:app'] },
];

const scopeConstraints = [
  ...SERVICE_SCOPES.map((scope) => ({ sourceTag: `scope:${scope}`, onlyDependOnLibsWithTags: [`scope:${scope}`, 'scope:shared'] })),
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
];

/** Tests of any lib may also use the shared test harness (which, in turn, imports no workspace lib). */
const withTesting = (constraint) =>
  constraint.onlyDependOnLibsWithTags
    ? { ...constraint, onlyDependOnLibsWithTags: [...constraint.onlyDependOnLibsWithTags, 'type:testing'] }
    : constraint;

const boundaries = (depConstraints) => ({
  '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, allow: [], depConstraints }],
});

const TEST_FILES = ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'];

export default defineConfig(
  { ignores: ['**/dist/', '**/.data/', '**/node_modules/', '**/coverage/', '.nx/', '**/jest.config.js'] },
  {
    plugins: { '@nx': nx },
    rules: boundaries([...typeConstraints, ...scopeConstraints]),
  },
  {
    files: TEST_FILES,
    rules: boundaries([...typeConstraints, ...scopeConstraints].map(withTesting)),
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    // jest's expect(...) and mocks trip over method references.
    files: TEST_FILES,
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
);
