// The API's typed configuration inside Nest (STYLE.md rule 6), and the only place the API
// reads process.env. Inject with `@Inject(apiConfig.KEY)`.
import { registerAs } from '@nestjs/config';
import { parseApiConfig, type ApiConfig } from './parse-api-config';

let parsed: ApiConfig | undefined;

/**
 * main.ts calls this before Nest starts (a bad variable ends the process with one line, and
 * the HTTP adapter is built from the config); the container's call then gets the same object:
 * the environment is parsed once per boot.
 */
export const apiConfig = registerAs(
  'api',
  (): ApiConfig => (parsed ??= parseApiConfig(process.env)),
);
