export { apiConfig } from './api.config';
export { parseApiConfig } from './parse-api-config';
export type { ApiConfig, ApiHttpsFiles } from './parse-api-config';
