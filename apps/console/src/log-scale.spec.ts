import type { ConsoleReplica } from '@distilled/console-frames';
import { logBar, logScale } from './log-scale';

function replica(fields: Partial<ConsoleReplica>): ConsoleReplica {
  return {
    id: 'r',
    address: null,
    role: 'follower',
    inSync: true,
    logStartOffset: 0,
    logEndOffset: 100,
    highWatermark: 100,
    ...fields,
  };
}

describe('logScale', () => {
  it('spans from the lowest log start to the highest log end of the replicas that answered', () => {
    expect(
      logScale([
        replica({ logStartOffset: 20, logEndOffset: 100 }),
        replica({ logStartOffset: 10, logEndOffset: 80 }),
        replica({ logEndOffset: null, highWatermark: null }),
      ]),
    ).toEqual({ start: 10, end: 100 });
  });

  it('is empty when no replica answered', () => {
    expect(logScale([replica({ logEndOffset: null })])).toEqual({ start: 0, end: 0 });
  });
});

describe('logBar', () => {
  const scale = { start: 0, end: 200 };

  it('puts the committed part below the high watermark and the rest after it', () => {
    expect(logBar(replica({ logEndOffset: 150, highWatermark: 100 }), scale)).toEqual({
      startPct: 0,
      committedPct: 50,
      uncommittedPct: 25,
      highWatermarkPct: 50,
    });
  });

  it('starts the bar at the log start', () => {
    expect(
      logBar(replica({ logStartOffset: 50, logEndOffset: 200, highWatermark: 200 }), scale),
    ).toEqual({
      startPct: 25,
      committedPct: 75,
      uncommittedPct: 0,
      highWatermarkPct: 100,
    });
  });

  it('never draws a high watermark past the log end (a follower that truncated)', () => {
    expect(logBar(replica({ logEndOffset: 40, highWatermark: 100 }), scale)).toMatchObject({
      committedPct: 20,
      uncommittedPct: 0,
    });
  });

  it('draws nothing for empty logs and has no bar for an unknown log', () => {
    expect(logBar(replica({ logEndOffset: 0, highWatermark: 0 }), { start: 0, end: 0 })).toEqual({
      startPct: 0,
      committedPct: 0,
      uncommittedPct: 0,
      highWatermarkPct: 0,
    });
    expect(logBar(replica({ logEndOffset: null }), scale)).toBeNull();
  });
});
