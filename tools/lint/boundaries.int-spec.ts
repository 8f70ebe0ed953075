import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@credence/testing';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RULE = '@nx/enforce-module-boundaries';
// A file that does not exist, placed by path inside the ledger domain lib (type:domain, scope:ledger).
const DOMAIN_FILE = 'libs/ledger/domain/src/boundaries-probe.ts';

describe('module boundaries', () => {
  let eslint: ESLint;

  beforeAll(async () => {
    // The rule only knows files that belong to a project; the domain lib may still be being written.
    await waitFor(() => existsSync(`${ROOT}/libs/ledger/domain/project.json`), {
      what: 'libs/ledger/domain/project.json to exist',
      timeoutMs: 30_000,
      intervalMs: 500,
    });
    eslint = new ESLint({
      cwd: ROOT,
      // The probe is not on disk, so the TypeScript program cannot know it; boundaries need no types.
      overrideConfig: tseslint.configs.disableTypeChecked,
      ruleFilter: ({ ruleId }) => ruleId === RULE,
    });
  });

  async function boundaryErrors(code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: DOMAIN_FILE });
    const messages = result?.messages ?? [];
    const fatal = messages.filter((m) => m.fatal === true);
    expect(fatal).toEqual([]);
    return messages.filter((m) => m.ruleId === RULE && m.severity === 2).map((m) => m.message);
  }

  it('forbids NestJS in a domain lib', async () => {
    const errors = await boundaryErrors("import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n");
    expect(errors).toEqual(['A project tagged with "type:domain" is not allowed to import "@nestjs/common"']);
  });

  it('forbids kysely in a domain lib', async () => {
    const errors = await boundaryErrors("import { Kysely } from 'kysely';\nexport const x = Kysely;\n");
    expect(errors).toEqual(['A project tagged with "type:domain" is not allowed to import "kysely"']);
  });

  it('forbids a domain lib from depending on a platform lib', async () => {
    const errors = await boundaryErrors("import { createDatabase } from '@credence/platform-database';\nexport const x = createDatabase;\n");
    expect(errors.join('\n')).toMatch(/type:domain.*can only depend on libs tagged with.*type:domain.*type:util/);
  });

  it('allows a relative import inside the lib and the kernel', async () => {
    const errors = await boundaryErrors("import { ok } from '@credence/kernel';\nimport { y } from './y.js';\nexport const x = [ok, y];\n");
    expect(errors).toEqual([]);
  });
});
