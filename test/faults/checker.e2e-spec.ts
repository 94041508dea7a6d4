import { checkHistory, summarize, type CheckInput, type ViolationKind } from './checker';
import { checkFollowers } from './follower-checker';
import type { RangePageRecord, ReadRecord, WriteRecord } from './history';

// The checker on small hand-made histories: each case is one way a log can be wrong, and the
// kind of violation it must be reported as. (Pure logic, no processes: it lives with the e2e
// suites because the unit config only looks in apps/ and libs/.)

const acked = (message: string, offset: number, end = 10): WriteRecord => ({
  kind: 'acked',
  message,
  offset,
  start: end - 1,
  end,
});
const refused = (message: string, status = 503): WriteRecord => ({
  kind: 'refused',
  message,
  status,
  start: 1,
  end: 2,
});
const unknown = (message: string): WriteRecord => ({
  kind: 'unknown',
  message,
  reason: 'timeout',
  start: 1,
  end: 2,
});
/** Final reads of `log` (one entry per offset; null = "not there") from each source. */
const everywhere = (
  log: Array<string | null>,
  sources = ['replica-1', 'replica-2', 'api'],
): ReadRecord[] =>
  sources.flatMap((source) =>
    log.map((message, offset) => ({ source, offset, message, start: 100, end: 101 })),
  );

function kinds(input: Partial<CheckInput> & { writes: WriteRecord[] }): ViolationKind[] {
  const result = checkHistory({ liveReads: [], finalReads: [], logEnd: 0, ...input });
  return result.violations.map((v) => v.kind);
}

describe('fault checker', () => {
  it('accepts a log that holds every acknowledged write, and unknown ones at most once', () => {
    const writes = [acked('a', 0), acked('b', 1), unknown('c'), unknown('d'), refused('e')];
    const result = checkHistory({
      writes,
      liveReads: [],
      finalReads: everywhere(['a', 'b', 'c']),
      logEnd: 3,
    });
    expect(result.violations).toEqual([]);
    expect(result.ackedChecked).toBe(2);
    expect(result.unknownFound).toBe(1);
    expect(result.unknownMissing).toBe(1);
  });

  it.each<[string, Partial<CheckInput> & { writes: WriteRecord[] }, ViolationKind[]]>([
    [
      'an acknowledged write missing at the end of the log',
      { writes: [acked('a', 0), acked('b', 1)], finalReads: everywhere(['a']), logEnd: 1 },
      ['lost-ack'],
    ],
    [
      'an acknowledged offset holding another message',
      { writes: [acked('a', 0), unknown('x')], finalReads: everywhere(['x']), logEnd: 1 },
      ['lost-ack'],
    ],
    [
      'an acknowledged message at another offset',
      { writes: [acked('a', 1), unknown('x')], finalReads: everywhere(['a', 'x']), logEnd: 2 },
      ['wrong-offset'],
    ],
    [
      'two replicas disagreeing on an offset',
      {
        writes: [acked('a', 0), unknown('x')],
        finalReads: [...everywhere(['a'], ['replica-1']), ...everywhere(['x'], ['replica-2'])],
        logEnd: 1,
      },
      ['conflict'],
    ],
    [
      'a read during the run showing another message than the final log',
      {
        writes: [acked('a', 0), unknown('x')],
        finalReads: everywhere(['a']),
        liveReads: [{ source: 'api', offset: 0, message: 'x', start: 5, end: 6 }],
        logEnd: 1,
      },
      ['conflict'],
    ],
    [
      'a hole below the end of the log on one replica',
      {
        writes: [acked('a', 0), acked('b', 1)],
        finalReads: [
          ...everywhere(['a', 'b'], ['replica-1']),
          ...everywhere(['a', null], ['replica-2']),
        ],
        logEnd: 2,
      },
      ['hole'],
    ],
    [
      'a message written twice',
      { writes: [acked('a', 0), unknown('b')], finalReads: everywhere(['a', 'b', 'b']), logEnd: 3 },
      ['duplicate'],
    ],
    [
      'a refused write in the log',
      { writes: [acked('a', 0), refused('r')], finalReads: everywhere(['a', 'r']), logEnd: 2 },
      ['refused-written'],
    ],
    [
      'a write refused 507 (disk full: not stored) in the log',
      {
        writes: [acked('a', 0), refused('full', 507)],
        finalReads: everywhere(['a', 'full']),
        logEnd: 2,
      },
      ['refused-written'],
    ],
    [
      'a message nobody wrote',
      { writes: [acked('a', 0)], finalReads: everywhere(['a', 'ghost']), logEnd: 2 },
      ['phantom'],
    ],
    [
      'one offset acknowledged for two messages',
      { writes: [acked('a', 0), acked('b', 0)], finalReads: everywhere(['a']), logEnd: 1 },
      ['double-ack', 'lost-ack'],
    ],
    [
      'a keyed write retried twice and stored twice',
      {
        writes: [{ ...acked('k', 0), key: 'key-k', attempts: 2 }],
        finalReads: everywhere(['k', 'k']),
        logEnd: 2,
      },
      ['duplicate'],
    ],
    [
      'a keyed write whose writer never got a final answer',
      {
        writes: [acked('a', 0), { ...unknown('k'), key: 'key-k', attempts: 40 }],
        finalReads: everywhere(['a']),
        logEnd: 1,
      },
      ['unresolved'],
    ],
    [
      'an acknowledged offset read as "not there" after the ack',
      {
        writes: [acked('a', 0, 10)],
        finalReads: everywhere(['a']),
        liveReads: [{ source: 'api', offset: 0, message: null, start: 11, end: 12 }],
        logEnd: 1,
      },
      ['ack-not-readable'],
    ],
  ])('reports %s', (_case, input, expected) => {
    expect(kinds(input).sort()).toEqual([...expected].sort());
  });

  describe('with retention', () => {
    const trimmed = (offset: number, trimmedAt: number, source = 'api'): ReadRecord => ({
      source,
      offset,
      message: null,
      trimmedAt,
      start: 100,
      end: 101,
    });
    const writes = [acked('a', 0), acked('b', 1), acked('c', 2), acked('d', 3)];

    it('accepts 410s below the log start and requires everything above it', () => {
      expect(
        kinds({
          writes,
          finalReads: [
            trimmed(0, 2),
            trimmed(1, 2),
            ...everywhere([null, null, 'c', 'd']).slice(2, 4),
          ],
          logEnd: 4,
          logStart: 2,
        }),
      ).toEqual([]);
    });

    it.each([
      ['a 410 at or above the start it named', trimmed(2, 2)],
      ['a 410 above the leader log start', trimmed(3, 5)],
    ])('%s is a bad-trim', (_name, read) => {
      expect(
        kinds({
          writes,
          finalReads: [read, ...everywhere(['a', 'b', 'c', 'd'])],
          logEnd: 4,
          logStart: 3,
        }),
      ).toContain('bad-trim');
    });

    it('an acknowledged write above the start that is missing is still lost', () => {
      expect(
        kinds({ writes, finalReads: everywhere([null, null, 'c']), logEnd: 4, logStart: 2 }),
      ).toContain('lost-ack');
    });
  });

  it('does not blame a read that began before the acknowledgement', () => {
    const liveReads: ReadRecord[] = [
      { source: 'api', offset: 0, message: null, start: 5, end: 12 },
    ];
    expect(
      kinds({ writes: [acked('a', 0, 10)], finalReads: everywhere(['a']), liveReads, logEnd: 1 }),
    ).toEqual([]);
  });

  it('summarizes durations as min, median and max', () => {
    expect(summarize([])).toBeUndefined();
    expect(summarize([300, 100, 200])).toEqual({ min: 100, median: 200, max: 300 });
    expect(summarize([100, 400])).toEqual({ min: 100, median: 250, max: 400 });
  });
});

describe('fault checker: Range pages', () => {
  // The log a, b, c, d at 0..3, each acknowledged at time 10; pages read from time 20 on.
  const writes = ['a', 'b', 'c', 'd'].map((m, offset) => acked(m, offset));
  /** A 200 page asked at `offset` showing `messages` from there (offsets given as the API would). */
  const page = (
    offset: number,
    messages: string[],
    extra: Partial<RangePageRecord> = {},
  ): RangePageRecord => ({
    source: 'range reader 1',
    offset,
    limit: 1000,
    messages: messages.map((message, i) => ({ offset: offset + i, message })),
    nextOffset: offset + messages.length,
    start: 20,
    end: 21,
    ...extra,
  });
  const refused410 = (offset: number, trimmedAt: number): RangePageRecord => ({
    source: 'range reader 1',
    offset,
    limit: 10,
    messages: [],
    trimmedAt,
    start: 20,
    end: 21,
  });
  const check = (rangePages: RangePageRecord[]) =>
    checkHistory({
      writes,
      liveReads: [],
      finalReads: everywhere(['a', 'b', 'c', 'd']),
      logEnd: 4,
      rangePages,
    });

  it('accepts pages that show the log as it is, within their limits, and counts them', () => {
    const result = check([
      page(0, ['a', 'b', 'c', 'd']),
      page(1, ['b', 'c'], { limit: 2 }),
      page(2, ['c'], { maxBytes: 1 }),
      // One message over maxBytes is allowed: a page holds one when one is committed.
      page(3, ['d'], { maxBytes: 1, limit: 1 }),
      page(4, [], { waitSeconds: 1 }),
      // An empty page asked before the acknowledgement: the read may have been answered first.
      page(3, [], { start: 5, end: 12 }),
    ]);
    expect(result.violations).toEqual([]);
    expect(result.range).toEqual({ pages: 6, messages: 8, trimmed: 0 });
  });

  it.each<[string, RangePageRecord]>([
    ['a changed message', page(1, ['b', 'x'])],
    ['a message past the end of the final log (never committed)', page(3, ['d', 'e'])],
  ])('reports %s as range-mismatch', (_case, bad) => {
    expect(check([bad]).violations.map((v) => v.kind)).toEqual(['range-mismatch']);
  });

  it.each<[string, RangePageRecord]>([
    [
      'offsets that skip one',
      {
        ...page(0, ['a', 'b']),
        messages: [
          { offset: 0, message: 'a' },
          { offset: 2, message: 'c' },
        ],
      },
    ],
    [
      'a first offset other than the one asked',
      { ...page(0, ['b']), messages: [{ offset: 1, message: 'b' }] },
    ],
    ['a nextOffset that is not after the last message', page(0, ['a', 'b'], { nextOffset: 3 })],
  ])('reports %s as range-gap', (_case, bad) => {
    expect(check([bad]).violations.map((v) => v.kind)).toEqual(['range-gap']);
  });

  it.each<[string, RangePageRecord]>([
    ['more messages than the limit', page(0, ['a', 'b', 'c'], { limit: 2 })],
    ['two messages over maxBytes', page(0, ['a', 'b'], { maxBytes: 1 })],
  ])('reports %s as range-limit', (_case, bad) => {
    expect(check([bad]).violations.map((v) => v.kind)).toEqual(['range-limit']);
  });

  it('reports an empty 200 at an offset acknowledged before the read began as range-empty', () => {
    expect(check([page(2, [])]).violations.map((v) => v.kind)).toEqual(['range-empty']);
    expect(check([page(2, [], { waitSeconds: 2 })]).violations.map((v) => v.kind)).toEqual([
      'range-empty',
    ]);
  });

  describe('with retention', () => {
    const retained = [null, null, 'c', 'd'];
    const checkTrimmed = (pages: RangePageRecord[]) =>
      checkHistory({
        writes,
        liveReads: [],
        finalReads: everywhere(retained).filter((r) => r.message !== null),
        logEnd: 4,
        logStart: 2,
        rangePages: pages,
      });

    it('accepts a 410 below the log start, and pages read before the deletion', () => {
      const result = checkTrimmed([refused410(0, 2), refused410(1, 2), page(0, ['a', 'b'])]);
      expect(result.violations).toEqual([]);
      expect(result.range).toEqual({ pages: 1, messages: 2, trimmed: 2 });
    });

    it.each([
      ['a 410 at the start it named', refused410(1, 1)],
      ['a 410 at or above the leader log start', refused410(2, 3)],
    ])('reports %s as range-bad-trim', (_case, bad) => {
      expect(checkTrimmed([bad]).violations.map((v) => v.kind)).toEqual(['range-bad-trim']);
    });

    it('reports a deleted offset shown with another message than its acknowledged one', () => {
      expect(checkTrimmed([page(0, ['x', 'b'])]).violations.map((v) => v.kind)).toEqual([
        'range-mismatch',
      ]);
    });
  });
});

describe('fault checker: followers', () => {
  const log = new Map([
    [0, 'a'],
    [1, 'b'],
    [2, 'c'],
  ]);
  const acked = [
    { offset: 0, message: 'a' },
    { offset: 2, message: 'c' },
  ];
  const follower = (offsets: Array<[number, string, number?]>) => ({
    name: 'f',
    from: 0,
    connections: 2,
    events: offsets.map(([offset, message, connection]) => ({
      offset,
      message,
      at: 1,
      connection: connection ?? 1,
    })),
  });
  const kindsOf = (events: Array<[number, string, number?]>) =>
    checkFollowers([follower(events)], log, 3, acked).violations.map((v) => v.kind);

  it('accepts the whole log, once, in order, across reconnections', () => {
    const result = checkFollowers(
      [
        follower([
          [0, 'a'],
          [1, 'b', 2],
          [2, 'c', 2],
        ]),
      ],
      log,
      3,
      acked,
    );
    expect(result.violations).toEqual([]);
    expect(result.events).toBe(3);
    expect(result.ackedDelivered).toBe(2);
  });

  it.each<[string, Array<[number, string, number?]>, ViolationKind[]]>([
    [
      'a gap',
      [
        [0, 'a'],
        [2, 'c'],
      ],
      ['follower-gap'],
    ],
    [
      'a duplicate after a reconnection',
      [
        [0, 'a'],
        [1, 'b'],
        [1, 'b', 2],
        [2, 'c', 2],
      ],
      ['follower-duplicate'],
    ],
    [
      'a message the log does not hold (uncommitted)',
      [
        [0, 'a'],
        [1, 'x'],
        [2, 'c'],
      ],
      ['follower-uncommitted'],
    ],
    [
      'a follower that never reached the end',
      [
        [0, 'a'],
        [1, 'b'],
      ],
      ['follower-behind'],
    ],
  ])('reports %s', (_case, events, expected) => {
    expect(kindsOf(events)).toEqual(expected);
  });

  describe('with retention (a reconnection refused 410)', () => {
    // The final log starts at 3 and holds 3..5; 0..2 were deleted.
    const kept = new Map([
      [3, 'd'],
      [4, 'e'],
      [5, 'f'],
    ]);
    const all = ['a', 'b', 'c', 'd', 'e', 'f'].map((message, offset) => ({ offset, message }));
    const trimmedFollower = (
      events: Array<[number, string, number]>,
      trimmed: Array<{ asked: number; firstOffset: number; connection: number }>,
    ) => ({
      name: 'f',
      from: 0,
      connections: 3,
      events: events.map(([offset, message, connection]) => ({
        offset,
        message,
        at: 1,
        connection,
      })),
      trimmed: trimmed.map((t) => ({ ...t, at: 1 })),
    });
    const check = (follower: ReturnType<typeof trimmedFollower>) =>
      checkFollowers([follower], kept, 6, all, 3);

    it('accepts a 410 below the start it named, then requires everything from that start', () => {
      const result = check(
        trimmedFollower(
          [
            [0, 'a', 1],
            [3, 'd', 3],
            [4, 'e', 3],
            [5, 'f', 3],
          ],
          [{ asked: 1, firstOffset: 3, connection: 2 }],
        ),
      );
      expect(result.violations).toEqual([]);
      expect(result.trims).toBe(1);
      expect(result.ackedDelivered).toBe(4);
    });

    it.each<
      [
        string,
        Array<[number, string, number]>,
        { asked: number; firstOffset: number; connection: number },
        ViolationKind[],
      ]
    >([
      [
        'a 410 for an offset at or above the start it named',
        [
          [0, 'a', 1],
          [1, 'b', 1],
          [2, 'c', 1],
          [3, 'd', 1],
          [4, 'e', 3],
          [5, 'f', 3],
        ],
        { asked: 4, firstOffset: 4, connection: 2 },
        ['follower-bad-trim'],
      ],
      [
        "a 410 for an offset at or above the leader's final start",
        [
          [0, 'a', 1],
          [1, 'b', 1],
          [2, 'c', 1],
          [3, 'd', 1],
          [5, 'f', 3],
        ],
        { asked: 4, firstOffset: 5, connection: 2 },
        ['follower-bad-trim'],
      ],
      [
        'a gap after going on from the start',
        [
          [0, 'a', 1],
          [4, 'e', 3],
          [5, 'f', 3],
        ],
        { asked: 1, firstOffset: 3, connection: 2 },
        ['follower-gap'],
      ],
      [
        'a follower that asked for less than it was due',
        [
          [0, 'a', 1],
          [1, 'b', 1],
          [3, 'd', 3],
          [4, 'e', 3],
          [5, 'f', 3],
        ],
        { asked: 0, firstOffset: 3, connection: 2 },
        ['follower-gap'],
      ],
    ])('reports %s', (_case, events, refusal, expected) => {
      expect(check(trimmedFollower(events, [refusal])).violations.map((v) => v.kind)).toEqual(
        expected,
      );
    });
  });
});
