import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestApp, injector } from '../testing/create-test-app';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: unknown; examples?: object }> }>;
  requestBody?: { content: Record<string, { examples?: object }> };
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

describe('OpenAPI document (/docs-json)', () => {
  let app: NestFastifyApplication;
  let document: OpenApi;

  beforeAll(async () => {
    ({ app } = await createTestApp());
    const response = await injector(app)('/docs-json');
    expect(response.statusCode).toBe(200);
    document = response.json<OpenApi>();
  });
  afterAll(() => app.close());

  it('lists both /Data calls and /Cluster', () => {
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/Data', '/Cluster', '/health', '/health/ready', '/metrics']),
    );
    expect(Object.keys(document.paths['/Data']).sort()).toEqual(['get', 'post']);
  });

  it.each<[string, string[]]>([
    ['post', ['201', '400', '405', '413', '415', '503', '504']],
    ['get', ['200', '400', '404', '405', '503']],
  ])(
    'documents every answer of %s /Data, errors as problem+json with examples',
    (method, statuses) => {
      const operation = document.paths['/Data'][method];
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(statuses));
      for (const status of statuses.filter((code) => code >= '400')) {
        const content = operation.responses[status].content?.['application/problem+json'];
        expect(content?.schema).toEqual({ $ref: '#/components/schemas/ProblemDto' });
        expect(Object.keys(content?.examples ?? {}).length).toBeGreaterThan(0);
      }
    },
  );

  it('gives examples a person can try: a body for POST and the offset for GET', () => {
    const post = document.paths['/Data'].post;
    expect(Object.keys(post.requestBody?.content['application/json'].examples ?? {})).toContain(
      'text',
    );
    const get = document.paths['/Data'].get;
    expect(get.parameters).toEqual([
      expect.objectContaining({ name: 'offset', in: 'query', required: true }),
    ]);
  });

  it('defines the problem schema', () => {
    expect(document.components.schemas.ProblemDto).toMatchObject({
      required: expect.arrayContaining(['type', 'title', 'status', 'detail']),
    });
  });
});
