// Turns an environment (process.env, or a spec's object) into an instance of an environment
// class, or throws one ConfigError for the first variable that breaks its rule. The apps call
// this from their config files only; nothing else reads process.env.
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ConfigError } from './config-error';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Unset and empty mean the same (docker-compose passes `VAR=` for "no value"), and values are
 * trimmed; a variable left out keeps the class's default, which is checked like a given value.
 */
export function validateEnv<T extends object>(EnvClass: new () => T, env: Env): T {
  const given: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const trimmed = value?.trim();
    if (trimmed) given[name] = trimmed;
  }
  const instance = plainToInstance(EnvClass, given);
  // whitelist: the rest of the environment (PATH, HOME, ...) is dropped from the instance.
  const [error] = validateSync(instance, { whitelist: true, stopAtFirstError: true });
  if (error) {
    const reason = Object.values(error.constraints ?? {})[0] ?? 'is not valid';
    throw new ConfigError(error.property, reason, given[error.property] ?? String(error.value));
  }
  return instance;
}
