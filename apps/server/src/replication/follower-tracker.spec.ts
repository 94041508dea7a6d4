import { FollowerTracker } from './follower-tracker';

describe('FollowerTracker', () => {
  it('counts a follower never heard from as lagging since the term began', () => {
    const tracker = new FollowerTracker(1000);
    expect(tracker.leo('b')).toBeUndefined();
    expect(tracker.lagMs('b', 0, 1500)).toBe(500);
  });

  it('is caught up while it holds the leader log end', () => {
    const tracker = new FollowerTracker(0);
    tracker.onFetch('b', 10, 10, 100);
    expect(tracker.lagMs('b', 10, 5000)).toBe(0);
    // The leader appends; the follower has not fetched since: lag counts from its last catch-up.
    expect(tracker.lagMs('b', 12, 5000)).toBe(4900);
  });

  it('an idle follower waiting at the log end is caught up until the leader appends', () => {
    const tracker = new FollowerTracker(0);
    tracker.onFetch('b', 10, 10, 100);
    tracker.onLeaderAppend(10, 9000); // idle for 9 s, then a write
    expect(tracker.lagMs('b', 11, 9050)).toBe(50);
    tracker.onFetch('c', 4, 10, 100); // behind: an append does not make it current
    tracker.onLeaderAppend(10, 9000);
    expect(tracker.lagMs('c', 11, 9050)).toBe(9050); // behind since the term began
  });

  it('under steady load, catching up to the previous response counts as caught up then', () => {
    const tracker = new FollowerTracker(0);
    tracker.onFetch('b', 0, 5, 100);
    tracker.onResponse('b', 5, 110); // sent it everything up to 5
    tracker.onFetch('b', 5, 8, 130); // leader moved on to 8 meanwhile
    expect(tracker.lagMs('b', 8, 130)).toBe(20); // caught up at 110
  });

  it('a follower stuck behind the previous response keeps lagging', () => {
    const tracker = new FollowerTracker(0);
    tracker.onFetch('b', 0, 100, 10);
    tracker.onResponse('b', 100, 20); // response capped, follower gets only part of it
    tracker.onFetch('b', 40, 100, 30);
    expect(tracker.lagMs('b', 100, 3000)).toBe(3000);
    expect(tracker.leo('b')).toBe(40);
  });
});
