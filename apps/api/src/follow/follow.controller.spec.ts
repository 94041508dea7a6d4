import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestApp, injector } from '../testing/create-test-app';
import type { FakeReplicaGateway } from '../testing/fake-replica-gateway';

describe('FollowController', () => {
  let app: NestFastifyApplication;
  let gateway: FakeReplicaGateway;
  let inject: ReturnType<typeof injector>;

  beforeEach(async () => {
    ({ app, gateway } = await createTestApp());
    inject = injector(app);
    for (let i = 0; i < 50; i++)
      gateway.store({ messages: [Buffer.from(`m${i}`)], producer_id: 0, sequence: i });
  });
  afterEach(() => app.close());

  const get = (url: string, headers: Record<string, string> = {}) =>
    inject({ method: 'GET', url, headers });

  describe('GET /Data/Range', () => {
    it('answers messages with offsets, nextOffset and endOffset (default limit 100)', async () => {
      const answer = await get('/Data/Range?offset=45');
      expect(answer.statusCode).toBe(200);
      expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(answer.headers['cache-control']).toBe('no-store');
      // Byte for byte what JSON.stringify of the answer gives (DESIGN.md A: the exact shape).
      expect(answer.body).toBe(
        JSON.stringify({
          messages: [45, 46, 47, 48, 49].map((offset) => ({ offset, message: `m${offset}` })),
          nextOffset: 50,
          endOffset: 50,
        }),
      );
    });

    it('honours limit and maxBytes, and matches paths case-insensitively', async () => {
      expect((await get('/data/range?offset=3&limit=2')).json().messages).toEqual([
        { offset: 3, message: 'm3' },
        { offset: 4, message: 'm4' },
      ]);
      // 2 bytes each: maxBytes 5 holds two; maxBytes 1 still holds the first
      expect((await get('/Data/Range?offset=3&maxBytes=5')).json().nextOffset).toBe(5);
      expect((await get('/Data/Range?offset=3&maxBytes=1')).json().nextOffset).toBe(4);
    });

    it('answers an empty page at once at or past the end', async () => {
      const answer = await get('/Data/Range?offset=50');
      expect(answer.json()).toEqual({ messages: [], nextOffset: 50, endOffset: 50 });
      expect((await get('/Data/Range?offset=900')).json()).toEqual({
        messages: [],
        nextOffset: 900,
        endOffset: 50,
      });
    });

    it('holds a long-poll until the message is committed', async () => {
      const started = Date.now();
      const waiting = get('/Data/Range?offset=50&wait=5');
      setTimeout(
        () => gateway.store({ messages: [Buffer.from('late')], producer_id: 0, sequence: 99 }),
        100,
      );
      const answer = await waiting;
      expect(answer.json().messages).toEqual([{ offset: 50, message: 'late' }]);
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('asks the leader when a follower has not committed the offset yet', async () => {
      gateway.highWatermarks.set('r2', 10);
      gateway.highWatermarks.set('r3', 10);
      for (let i = 0; i < 10; i++) {
        expect((await get('/Data/Range?offset=20&limit=1')).json().messages).toEqual([
          { offset: 20, message: 'm20' },
        ]);
      }
    });

    it('answers 503, never an empty page, when no leader can say where the log ends', async () => {
      gateway.highWatermarks.set('r2', 10);
      gateway.highWatermarks.set('r3', 10);
      gateway.unreachable.add('r1');
      const answer = await get('/Data/Range?offset=20');
      expect(answer.statusCode).toBe(503);
      expect(answer.headers['content-type']).toContain('application/problem+json');
      // below what the followers hold, they serve it
      expect((await get('/Data/Range?offset=5&limit=1')).statusCode).toBe(200);
    });

    it.each([
      ['offset missing', '', 'offset', 'offset is required'],
      ['offset negative', 'offset=-1', 'offset', 'negative'],
      ['offset repeated', 'offset=1&offset=2', 'offset', 'given 2 times'],
      ['limit 0', 'offset=0&limit=0', 'limit', 'below 1'],
      ['limit too large', 'offset=0&limit=10001', 'limit', 'largest allowed, 10000'],
      ['limit fractional', 'offset=0&limit=1.5', 'limit', 'not a whole number'],
      ['maxBytes too large', 'offset=0&maxBytes=16777217', 'maxBytes', 'largest allowed'],
      ['maxBytes hex', 'offset=0&maxBytes=0x10', 'maxBytes', 'not decimal'],
      ['wait too long', 'offset=0&wait=61', 'wait', 'largest allowed, 60'],
      ['wait 0', 'offset=0&wait=0', 'wait', 'below 1'],
      ['wait exponent', 'offset=0&wait=1e1', 'wait', 'exponent'],
      ['wait repeated', 'offset=0&wait=1&wait=1', 'wait', 'given 2 times'],
      ['an unknown parameter', 'offset=0&from=1', 'from', 'not a known query parameter'],
    ])('answers 400 naming the field for %s', async (_name, queryString, field, words) => {
      const answer = await get(`/Data/Range?${queryString}`);
      expect(answer.statusCode).toBe(400);
      const problem = answer.json();
      expect(problem.errors).toEqual([
        expect.objectContaining({ field, in: 'query', detail: expect.stringContaining(words) }),
      ]);
    });
  });

  describe('GET /Data/Stream', () => {
    it('answers HEAD with the head of a stream and no stream', async () => {
      const answer = await inject({ method: 'HEAD', url: '/Data/Stream?offset=0' });
      expect(answer.statusCode).toBe(200);
      expect(answer.headers['content-type']).toContain('text/event-stream');
      expect(answer.body).toBe('');
    });

    it.each([
      ['no offset', '', {}, 'offset', 'required'],
      ['offset=start', 'offset=start', {}, 'offset', 'not a number'],
      ['offset repeated', 'offset=1&offset=2', {}, 'offset', 'given 2 times'],
      [
        'Last-Event-ID not a number',
        'offset=0',
        { 'last-event-id': 'abc' },
        'Last-Event-ID',
        'not a number',
      ],
      [
        'Last-Event-ID negative',
        'offset=0',
        { 'last-event-id': '-4' },
        'Last-Event-ID',
        'negative',
      ],
    ])('answers 400 naming the field for %s', async (_name, queryString, headers, field, words) => {
      const answer = await get(`/Data/Stream?${queryString}`, headers);
      expect(answer.statusCode).toBe(400);
      expect(answer.json().errors).toEqual([
        expect.objectContaining({ field, detail: expect.stringContaining(words) }),
      ]);
    });
  });
});
