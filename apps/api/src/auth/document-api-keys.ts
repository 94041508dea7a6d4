// Puts the API key rule into the OpenAPI document: a bearer security scheme (Swagger UI's
// Authorize button), and on every operation that needs a scope, that requirement plus its 401
// and 403 answers. It reads the same rule the guard applies (requiredScope and the
// x-distilled-scope extension AuthScope leaves), so a new route is documented as it is guarded.
import type { OpenAPIObject } from '@nestjs/swagger';
import { forbidden, unauthorized } from './auth-problems';
import { requiredScope, SCOPE_EXTENSION, type RouteScope } from './scope.decorator';

export const SECURITY_SCHEME = 'apiKey';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export function documentApiKeys(document: OpenAPIObject): void {
  document.components ??= {};
  document.components.securitySchemes = {
    ...document.components.securitySchemes,
    [SECURITY_SCHEME]: {
      type: 'http',
      scheme: 'bearer',
      description:
        'An API key from DISTILLED_API_KEYS_FILE, sent as "Authorization: Bearer <key>". Only ' +
        'checked when the API runs with that file; /health and /docs are always open.',
    },
  };
  const problem = (value: object) => ({
    schema: { $ref: '#/components/schemas/ProblemDto' },
    examples: { example: { summary: 'Example', value } },
  });
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const extensions = operation as unknown as Record<string, unknown>;
      const scope = requiredScope(method, extensions[SCOPE_EXTENSION] as RouteScope | undefined);
      extensions[SCOPE_EXTENSION] = scope;
      if (scope === 'public') continue;
      operation.security = [{ [SECURITY_SCHEME]: [] }];
      operation.responses['401'] ??= {
        description: 'No API key, or one the API does not know (only when keys are on).',
        headers: { 'WWW-Authenticate': { description: 'Bearer', schema: { type: 'string' } } },
        content: { 'application/problem+json': problem(unauthorized(false).problem) },
      };
      operation.responses['403'] ??= {
        description: `The API key lacks the ${scope} scope.`,
        content: { 'application/problem+json': problem(forbidden('reader', scope).problem) },
      };
    }
  }
}
