import { registerAs } from '@nestjs/config';
import { parseApiConfig, type ApiConfig } from './parse-api-config';

/** The only place the API reads process.env. Inject with `@Inject(apiConfig.KEY)`. */
export const apiConfig = registerAs('api', (): ApiConfig => parseApiConfig(process.env));
