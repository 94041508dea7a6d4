import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ApiConfig } from '../config';
import { BODY_LIMIT_FACTOR, BODY_LIMIT_SLACK_BYTES } from '../constants';
import { MetricsService } from '../metrics/metrics.service';
import { problemClientErrorHandler, trackRoutes } from '../problems';
import { registerRateLimits } from '../rate-limit';
import { capConnections, fastifyTimeoutOptions, httpServerOptions } from './connection-limits';
import { httpsServerOptions } from './https-options';
import { registerJsonBodyParser } from './json-body-parser';
import { requireHost } from './require-host';
import { setupSwagger } from './swagger';

/**
 * The HTTP body limit: room for worst-case JSON escaping of the largest body, a batch of
 * DISTILLED_MAX_BATCH_BYTES (at least one message of DISTILLED_MAX_MESSAGE_BYTES).
 */
export function bodyLimitFor(maxMessageBytes: number, maxBatchBytes = maxMessageBytes): number {
  return Math.max(maxMessageBytes, maxBatchBytes) * BODY_LIMIT_FACTOR + BODY_LIMIT_SLACK_BYTES;
}

/**
 * The Fastify adapter with the API's options; main.ts and the specs use the same one. With
 * DISTILLED_API_TLS_* it serves HTTPS only (an https server, the same limits).
 */
export function createApiAdapter(config: ApiConfig): FastifyAdapter {
  const common = {
    // The seed served /Data and /data alike; clients depend on it.
    routerOptions: { caseSensitive: false },
    bodyLimit: bodyLimitFor(config.maxMessageBytes, config.maxBatchBytes),
    ...fastifyTimeoutOptions(config),
    clientErrorHandler: problemClientErrorHandler,
    logger: false,
  };
  const adapter = config.https
    ? new FastifyAdapter({ ...common, https: httpsServerOptions(config, config.https) })
    : new FastifyAdapter({ ...common, http: httpServerOptions(config) });
  capConnections(adapter.getInstance().server, config);
  return adapter;
}

/**
 * Everything that is not a Nest provider: body parsing, route tracking for 405, rate limits,
 * request metrics and Swagger. Call after create and before init/listen; create the app with
 * `{ bodyParser: false }` so Nest does not add its own parsers (url-encoded included).
 */
export function configureApiApp(
  app: NestFastifyApplication,
  config: ApiConfig,
  options: { swaggerUi?: boolean } = {},
): void {
  const instance = app.getHttpAdapter().getInstance();
  trackRoutes(instance);
  requireHost(instance);
  registerRateLimits(instance, config);
  registerJsonBodyParser(instance, bodyLimitFor(config.maxMessageBytes, config.maxBatchBytes));
  app.get(MetricsService).instrument(instance);
  setupSwagger(app, options.swaggerUi ?? true);
}
