// The replica's typed configuration inside Nest (STYLE.md rule 6), and the only place the
// replica reads process.env.
import { Inject } from '@nestjs/common';
import { registerAs } from '@nestjs/config';
import { parseServerConfig, type ServerConfig } from './parse-server-config';

let parsed: ServerConfig | undefined;

/**
 * main.ts calls this before Nest starts, so a bad variable ends the process with one line and
 * the logger can be set up from the config; the container's call then gets the same object:
 * the environment is parsed once per boot.
 */
export const serverConfig = registerAs(
  'server',
  (): ServerConfig => (parsed ??= parseServerConfig(process.env)),
);

/** Injects the ServerConfig: `constructor(@InjectServerConfig() config: ServerConfig)`. */
export const InjectServerConfig = (): ParameterDecorator => Inject(serverConfig.KEY);
