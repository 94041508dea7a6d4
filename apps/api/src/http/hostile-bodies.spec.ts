import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestApp, injector, type TestApp } from '../testing/create-test-app';

const nestedArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const nestedObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const manyFields = (count: number) =>
  `{"message":"x",${Array.from({ length: count }, (_, i) => `"k${i}":1`).join(',')}}`;

// Bodies built to make the API's parsing or validation recurse or spend its time, through the
// real module wiring: each is answered 400 problem+json, quickly, and nothing is appended.
describe('hostile request bodies', () => {
  let test: TestApp;
  let app: NestFastifyApplication;
  beforeAll(async () => {
    test = await createTestApp({ maxMessageBytes: 8 * 1024 * 1024 });
    app = test.app;
  });
  afterAll(async () => {
    await app?.close();
  });

  it.each<[string, string, RegExp]>([
    ['message a 100,000-level nested array', `{"message": ${nestedArrays(100_000)}}`, /32 levels/],
    [
      'message a 100,000-level nested object',
      `{"message": ${nestedObjects(100_000)}}`,
      /32 levels/,
    ],
    [
      'an unknown field nested 100,000 levels',
      `{"message": "x", "k": ${nestedArrays(100_000)}}`,
      /32 levels/,
    ],
    ['a whole body of 1,000,000 "["', '['.repeat(1_000_000), /32 levels/],
    ['200,000 unknown fields', manyFields(200_000), /fields/],
    [
      'a message of 100,000 numbers',
      `{"message": [${Array(100_000).fill(1).join(',')}]}`,
      /JSON values/,
    ],
    ['a __proto__ field', '{"message": "x", "__proto__": {"polluted": true}}', /__proto__/],
  ])('%s: 400 problem+json, nothing appended', async (_name, payload, detail) => {
    const started = Date.now();
    const answer = await injector(app)({
      method: 'POST',
      url: '/Data',
      payload,
      headers: { 'content-type': 'application/json' },
    });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(answer.statusCode).toBe(400);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(answer.body.length).toBeLessThan(1000);
    expect(answer.json()).toMatchObject({ status: 400, detail: expect.stringMatching(detail) });
    expect(test.gateway.appendCalls).toHaveLength(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('still takes a message whose text is full of brackets', async () => {
    const message = `${'['.repeat(5000)}${'{'.repeat(5000)}`;
    const answer = await injector(app)({
      method: 'POST',
      url: '/Data',
      payload: JSON.stringify({ message }),
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.statusCode).toBe(201);
    expect(test.gateway.log.at(-1)?.toString()).toBe(message);
  });
});
