export { apiConfig } from './api.config';
export { parseApiConfig, ConfigError } from './parse-api-config';
export type { ApiConfig } from './parse-api-config';
