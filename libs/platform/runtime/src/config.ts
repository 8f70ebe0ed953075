import type { ClassConstructor } from 'class-transformer';
import { describeIssues, validatePlain } from '@credence/contracts';

const INTEGER = /^-?\d+$/;

/**
 * A service's settings from the environment, validated at boot against `cls` (class-validator
 * rules): a bad value stops the process with the variable's name and the rule it broke. Each
 * variable falls back to its default; a variable whose default is an integer is read as a number.
 * `optional` names variables without a default that are read when set.
 */
export function loadEnvConfig<T extends object>(
  service: string,
  cls: ClassConstructor<T>,
  defaults: Readonly<Record<string, string>>,
  env: NodeJS.ProcessEnv = process.env,
  optional: readonly string[] = ['LOG_LEVEL'],
): T {
  const plain: Record<string, unknown> = {};
  for (const key of [...Object.keys(defaults), ...optional]) {
    const raw = env[key] ?? defaults[key];
    if (raw === undefined) continue;
    plain[key] = INTEGER.test(defaults[key] ?? '') && INTEGER.test(raw) ? Number(raw) : raw;
  }
  const result = validatePlain(cls, plain);
  if (!result.ok) throw new Error(`invalid ${service} configuration: ${describeIssues(result.issues)}`);
  return result.value;
}
