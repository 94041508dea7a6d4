export { parseServerConfig } from './parse-server-config';
export type { ServerConfig } from './parse-server-config';
export type { LogFormat } from './server-env';
export { serverConfig, InjectServerConfig } from './server.config';
