import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestApp, injector } from '../testing/create-test-app';

interface Operation {
  security?: Array<Record<string, string[]>>;
  responses: Record<string, { content?: Record<string, unknown> }>;
  'x-distilled-scope'?: string;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes?: Record<string, { type: string; scheme: string }> };
}

// The OpenAPI document says what the guard does: Swagger UI's Authorize button and, per call,
// the scope it needs with its 401 and 403 answers.
describe('API keys in the OpenAPI document', () => {
  let app: NestFastifyApplication;
  let document: OpenApi;
  beforeAll(async () => {
    ({ app } = await createTestApp());
    document = (await injector(app)('/docs-json')).json<OpenApi>();
  });
  afterAll(() => app.close());

  it('declares a bearer scheme for the Authorize button', () => {
    expect(document.components.securitySchemes?.apiKey).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
  });

  it.each<[string, string, string]>([
    ['/Data', 'post', 'write'],
    ['/Data', 'get', 'read'],
    ['/Cluster', 'get', 'read'],
    ['/metrics', 'get', 'read'],
  ])('%s %s needs the %s scope, documented with 401 and 403', (path, method, scope) => {
    const operation = document.paths[path][method];
    expect(operation.security).toEqual([{ apiKey: [] }]);
    expect(operation['x-distilled-scope']).toBe(scope);
    for (const status of ['401', '403']) {
      expect(operation.responses[status].content?.['application/problem+json']).toBeDefined();
    }
  });

  it.each(['/health', '/health/ready'])('%s stays open', (path) => {
    const operation = document.paths[path].get;
    expect(operation.security).toBeUndefined();
    expect(operation['x-distilled-scope']).toBe('public');
    expect(operation.responses['401']).toBeUndefined();
  });
});
