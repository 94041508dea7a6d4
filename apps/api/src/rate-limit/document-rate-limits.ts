// Puts the 429 into the OpenAPI document on every operation a rate limit can refuse (all but
// the unlimited routes), with its headers, using the same route rule as the limiter. Documented
// whether or not this API runs with a limit, as the 401/403 are: a client written against the
// document should handle it.
import type { OpenAPIObject } from '@nestjs/swagger';
import { rateLimited } from '../problems';
import { isUnlimitedRoute } from './unlimited-routes';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export function documentRateLimits(document: OpenAPIObject): void {
  const example = rateLimited('The API key "ingest"', 100, 1000, 1).problem;
  for (const [path, item] of Object.entries(document.paths)) {
    if (isUnlimitedRoute(path)) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      operation.responses['429'] ??= {
        description:
          'Over the rate limit (DISTILLED_API_RATE_LIMIT per API key, or per client address without keys; only when configured). Nothing was done; retry after Retry-After seconds.',
        headers: {
          'Retry-After': {
            description: 'Seconds until the window resets',
            schema: { type: 'integer' },
          },
          'RateLimit-Limit': { description: 'Requests per window', schema: { type: 'integer' } },
          'RateLimit-Remaining': {
            description: 'Requests left in this window',
            schema: { type: 'integer' },
          },
          'RateLimit-Reset': {
            description: 'Seconds until the window resets',
            schema: { type: 'integer' },
          },
        },
        content: {
          'application/problem+json': {
            schema: { $ref: '#/components/schemas/ProblemDto' },
            examples: { example: { summary: 'Example', value: example } },
          },
        },
      };
    }
  }
}
