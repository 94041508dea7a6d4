import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestApp, injector } from '../testing/create-test-app';

interface Operation {
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  responses: Record<string, { content?: Record<string, { example?: string; examples?: object }> }>;
}

describe('OpenAPI document: Range and Stream', () => {
  let app: NestFastifyApplication;
  let paths: Record<string, Record<string, Operation>>;

  beforeAll(async () => {
    ({ app } = await createTestApp());
    paths = (await injector(app)('/docs-json')).json<{ paths: typeof paths }>().paths;
  });
  afterAll(() => app.close());

  describe('GET /Data/Range', () => {
    it('documents its four parameters and its answers, errors as problem+json with examples', () => {
      const operation = paths['/Data/Range'].get;
      expect(operation.parameters?.map((p) => `${p.in}:${p.name}:${p.required}`).sort()).toEqual([
        'query:limit:false',
        'query:maxBytes:false',
        'query:offset:true',
        'query:wait:false',
      ]);
      expect(Object.keys(operation.responses)).toEqual(
        expect.arrayContaining(['200', '400', '503']),
      );
      expect(
        operation.responses['400'].content?.['application/problem+json'].examples,
      ).toBeDefined();
    });
  });

  describe('GET /Data/Stream', () => {
    it('documents text/event-stream with an example event, and the Last-Event-ID header', () => {
      const operation = paths['/Data/Stream'].get;
      const example = operation.responses['200'].content?.['text/event-stream'].example;
      expect(example).toContain(
        'id: 0\nevent: message\ndata: {"offset":0,"message":"hello, log"}\n\n',
      );
      expect(operation.parameters).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'Last-Event-ID', in: 'header' }),
          expect.objectContaining({ name: 'offset', in: 'query' }),
        ]),
      );
      expect(Object.keys(operation.responses)).toEqual(
        expect.arrayContaining(['200', '400', '503']),
      );
    });
  });
});
