import { Inject } from '@nestjs/common';
import { registerAs } from '@nestjs/config';
import { parseServerConfig, type ServerConfig } from './parse-server-config';

/**
 * The replica's typed configuration (STYLE.md rule 6). main.ts parses the environment once
 * before Nest starts so a bad variable ends the process with one line; this factory parses it
 * again inside the container, where it cannot fail any more.
 */
export const serverConfig = registerAs('server', (): ServerConfig =>
  parseServerConfig(process.env),
);

/** Injects the ServerConfig: `constructor(@InjectServerConfig() config: ServerConfig)`. */
export const InjectServerConfig = (): ParameterDecorator => Inject(serverConfig.KEY);

/** The one place outside Nest that reads the environment: boot-time validation in main.ts. */
export function loadServerConfig(): ServerConfig {
  return parseServerConfig(process.env);
}
