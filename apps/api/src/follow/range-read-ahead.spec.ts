import { setTimeout as sleep } from 'node:timers/promises';
import type { ReadRangeRequest } from '@distilled/proto';
import { FakeReplicaGateway, unreachableError } from '../testing/fake-replica-gateway';
import { RangeReadAhead } from './range-read-ahead';
import { RangeReader, type RangePage, type RangeRequest } from './range-reader';

describe('RangeReadAhead', () => {
  let gateway: FakeReplicaGateway;
  let reader: RangeReader;
  let ahead: RangeReadAhead;
  let now: number;

  beforeEach(() => {
    gateway = new FakeReplicaGateway();
    for (let i = 0; i < 50; i++) {
      gateway.store({ messages: [Buffer.from(`m${i}`)], producer_id: 0, sequence: i });
    }
    reader = new RangeReader(gateway);
    ahead = new RangeReadAhead(reader);
    now = 1_000_000;
    ahead.now = () => now;
  });

  const request = (offset: number, extra: Partial<RangeRequest> = {}): RangeRequest => ({
    offset,
    limit: 10,
    maxBytes: 1 << 20,
    waitMs: 0,
    ...extra,
  });
  const texts = (page: RangePage) => page.messages.map(String);
  const offsetsRead = () => gateway.readRangeCalls.map((call) => call.request.offset);
  /** Lets read-aheads started by the last read settle (the fake answers within a turn or two). */
  const settle = () => sleep(5);

  it('reads the next page as soon as a full page below the end comes back, and serves it', async () => {
    await ahead.read(request(0));
    await settle();
    expect(offsetsRead()).toEqual([0, 10]);

    const page = await ahead.read(request(10));
    await settle();
    // offset 10 came from the read-ahead, and serving it read offset 20 ahead in turn.
    expect(offsetsRead()).toEqual([0, 10, 20]);
    expect(ahead.counts()).toMatchObject({ hits: 1, misses: 1, dropped: 0 });
    // The held page is exactly what a replica answers for that request.
    expect(page).toEqual(await reader.read(request(10)));
    expect(texts(page)).toEqual([
      'm10',
      'm11',
      'm12',
      'm13',
      'm14',
      'm15',
      'm16',
      'm17',
      'm18',
      'm19',
    ]);
    expect(page.endOffset).toBe(50);
  });

  it('reads nothing ahead of a page that reaches the end, an empty page or a long-poll at the end', async () => {
    await ahead.read(request(45)); // 45..49: up to the end
    await ahead.read(request(50)); // empty
    const waiting = ahead.read(request(50, { waitMs: 5000 }));
    setTimeout(
      () => gateway.store({ messages: [Buffer.from('late')], producer_id: 0, sequence: 99 }),
      20,
    );
    expect(texts(await waiting)).toEqual(['late']);
    await settle();
    // Each read asked for its own offset only (a follower's empty answer sends it to the leader).
    expect(new Set(offsetsRead())).toEqual(new Set([45, 50]));
    expect(ahead.counts()).toMatchObject({ hits: 0, misses: 3, heldBytes: 0 });
  });

  it('serves a held page only to the same offset, limit and maxBytes', async () => {
    await ahead.read(request(0));
    await settle();
    await ahead.read(request(10, { limit: 5 }));
    await ahead.read(request(10, { maxBytes: 1000 }));
    await ahead.read(request(11));
    expect(ahead.counts()).toMatchObject({ hits: 0, misses: 4 });
  });

  it('shares one read between readers asking for the same page, also while it is in flight', async () => {
    await ahead.read(request(0));
    // Not settled: both readers wait on the read-ahead already in flight.
    const [a, b] = await Promise.all([ahead.read(request(10)), ahead.read(request(10))]);
    expect(texts(a)).toEqual(texts(b));
    await settle();
    expect(offsetsRead().filter((offset) => offset === 10)).toHaveLength(1);
    expect(ahead.counts()).toMatchObject({ hits: 2, misses: 1 });
  });

  it('lets a page go once served: the same page asked again is read from a replica', async () => {
    await ahead.read(request(0));
    await settle();
    await ahead.read(request(10)); // served from the read-ahead
    await settle();
    expect(ahead.counts().heldBytes).toBe(30); // 20..29 now, not 10..19 as well
    await ahead.read(request(10)); // a second pass over the same messages
    expect(ahead.counts()).toMatchObject({ hits: 1, misses: 2 });
    expect(offsetsRead().filter((offset) => offset === 10)).toHaveLength(2);
  });

  it('holds at most its byte bound, dropping the oldest pages first', async () => {
    // Pages of 10 messages of 3 bytes: the bound holds two of them, not three.
    ahead.limits = { ...ahead.limits, maxBytes: 60 };
    await ahead.read(request(0)); // holds 10..19 (30 bytes)
    await settle();
    await ahead.read(request(30)); // holds 40..49: 60 in all
    await settle();
    expect(ahead.counts()).toMatchObject({ heldBytes: 60, dropped: 0 });
    await ahead.read(request(20)); // holds 30..39: the oldest, 10..19, must go
    await settle();
    expect(ahead.counts()).toMatchObject({ heldBytes: 60, dropped: 1 });
    await ahead.read(request(10)); // dropped: read again
    expect(ahead.counts()).toMatchObject({ hits: 0, misses: 4 });
    await settle();
    await ahead.read(request(30)); // still held
    expect(ahead.counts()).toMatchObject({ hits: 1 });
    expect(ahead.counts().heldBytes).toBeLessThanOrEqual(60);
  });

  it('never holds a page larger than its bound', async () => {
    ahead.limits = { ...ahead.limits, maxBytes: 10 };
    await ahead.read(request(0));
    await settle();
    expect(ahead.counts()).toMatchObject({ heldBytes: 0, dropped: 1 });
    await ahead.read(request(10));
    expect(ahead.counts()).toMatchObject({ hits: 0, misses: 2 });
  });

  it('drops a page nobody asked for within its time-to-live', async () => {
    await ahead.read(request(0));
    await settle();
    now += ahead.limits.ttlMs + 1;
    await ahead.read(request(10));
    expect(ahead.counts()).toMatchObject({ hits: 0, misses: 2, dropped: 1 });
    expect(offsetsRead()).toEqual([0, 10, 10, 20]);
  });

  it('gives an idle process its held pages back after their time-to-live', async () => {
    ahead.now = Date.now;
    ahead.limits = { ...ahead.limits, ttlMs: 30 };
    await ahead.read(request(0));
    await settle();
    expect(ahead.counts().heldBytes).toBeGreaterThan(0);
    await sleep(80);
    expect(ahead.counts()).toMatchObject({ heldBytes: 0, dropped: 1 });
  });

  it('answers 410, not a held page, once any replica showed a log start past it', async () => {
    await ahead.read(request(0)); // holds 10..19
    await settle();
    gateway.logStart = 15; // retention deleted 0..14 everywhere
    // Nothing told the API yet: a read elsewhere brings the log start with its answer.
    await ahead.read(request(30));
    await expect(ahead.read(request(10))).rejects.toMatchObject({
      status: 410,
      problem: { firstOffset: 15 },
    });
    expect(ahead.counts()).toMatchObject({ hits: 0, dropped: 1 });
  });

  it('learns the log start from a trimmed refusal too', async () => {
    await ahead.read(request(20)); // holds 30..39
    await settle();
    gateway.logStart = 40;
    await expect(ahead.read(request(0))).rejects.toMatchObject({ status: 410 });
    await expect(ahead.read(request(30))).rejects.toMatchObject({ status: 410 });
  });

  it('never fails a request because its read-ahead failed: the request reads again', async () => {
    const readRange = gateway.readRange.bind(gateway);
    let failOffset10 = true;
    jest
      .spyOn(gateway, 'readRange')
      .mockImplementation((replica, rangeRequest: ReadRangeRequest) =>
        failOffset10 && rangeRequest.offset === 10
          ? Promise.reject(unreachableError(replica))
          : readRange(replica, rangeRequest),
      );
    await ahead.read(request(0));
    await settle();
    failOffset10 = false;
    expect(texts(await ahead.read(request(10)))[0]).toBe('m10');
    expect(ahead.counts()).toMatchObject({ hits: 0, misses: 2 });
  });

  it('starts no more read-aheads than its bound at once', async () => {
    ahead.limits = { ...ahead.limits, maxInFlight: 1 };
    await Promise.all([ahead.read(request(0)), ahead.read(request(20))]);
    await settle();
    // 0 and 20 themselves, and the one read-ahead the bound lets start (10 or 30).
    expect(offsetsRead()).toHaveLength(3);
  });
});
