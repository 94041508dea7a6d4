export { ConfigError } from './config-error';
export { parseServerConfig } from './parse-server-config';
export type { ServerConfig, LogFormat } from './parse-server-config';
export { serverConfig, InjectServerConfig, loadServerConfig } from './server.config';
