import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestApp, injector } from '../testing/create-test-app';

interface Operation {
  responses: Record<
    string,
    {
      headers?: Record<string, unknown>;
      content?: Record<string, { schema?: unknown; examples?: Record<string, unknown> }>;
    }
  >;
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  requestBody?: { content: Record<string, { examples?: object }> };
}

describe('OpenAPI for the writes of part 2', () => {
  let app: NestFastifyApplication;
  let paths: Record<string, Record<string, Operation>>;

  beforeAll(async () => {
    ({ app } = await createTestApp());
    paths = (await injector(app)('/docs-json')).json<{ paths: typeof paths }>().paths;
  });
  afterAll(() => app.close());

  it.each([
    ['/Data/Batch', ['201', '400', '409', '412', '413', '415', '422', '503', '504']],
    ['/Data', ['201', '400', '409', '412', '413', '415', '422', '503', '504']],
  ])('documents both headers and every answer of POST %s', (path, statuses) => {
    const post = paths[path].post;
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(statuses));
    expect(post.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }),
        expect.objectContaining({ name: 'Expected-Offset', in: 'header', required: false }),
      ]),
    );
    expect(Object.keys(post.responses['201'].headers ?? {})).toContain('Idempotent-Replayed');
    for (const status of statuses.filter((code) => code >= '400')) {
      const content = post.responses[status].content?.['application/problem+json'];
      expect(Object.keys(content?.examples ?? {}).length).toBeGreaterThan(0);
    }
  });

  it('gives POST /Data/Batch its own 400 and 413 examples, naming messages[i]', () => {
    const post = paths['/Data/Batch'].post;
    const examples = (status: string) =>
      Object.keys(post.responses[status].content?.['application/problem+json'].examples ?? {});
    expect(examples('400')).toEqual(expect.arrayContaining(['notString', 'empty', 'badKey']));
    expect(examples('413')).toEqual(expect.arrayContaining(['elementTooLarge', 'batchTooLarge']));
    expect(Object.keys(post.requestBody?.content['application/json'].examples ?? {})).toContain(
      'three',
    );
  });
});
