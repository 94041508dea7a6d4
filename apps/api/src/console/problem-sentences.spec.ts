import { ConditionClock } from './condition-clock';
import type { ConsoleReplica } from '@distilled/console-frames';
import { describeProblems, findConditions, type ClusterPicture } from './problem-sentences';

const T0 = Date.parse('2026-12-06T07:31:12Z');

function replica(id: string, fields: Partial<ConsoleReplica> = {}): ConsoleReplica {
  return {
    id,
    address: `${id}:50051`,
    role: 'follower',
    inSync: true,
    logStartOffset: 0,
    logEndOffset: 5000,
    highWatermark: 5000,
    ...fields,
  };
}

function sentences(picture: ClusterPicture, clock: ConditionClock, now: number): string[] {
  const conditions = findConditions(picture);
  const ages = clock.observe(
    conditions.map((c) => c.key),
    now,
  );
  return describeProblems(conditions, ages, now).map((p) => p.text);
}

describe('problem sentences', () => {
  const healthy = [replica('r1', { role: 'leader' }), replica('r2'), replica('r3')];

  it('says nothing about a healthy cluster', () => {
    expect(
      sentences({ leader: 'r1', committedEnd: 5000, replicas: healthy }, new ConditionClock(), T0),
    ).toEqual([]);
  });

  it('dates an out-of-sync replica from when it was first seen and says how far behind it is', () => {
    const clock = new ConditionClock();
    const picture = (end: number): ClusterPicture => ({
      leader: 'r1',
      committedEnd: 6234,
      replicas: [healthy[0], replica('r2', { inSync: false, logEndOffset: end }), healthy[2]],
    });
    clock.observe([], T0 - 1000);
    expect(sentences(picture(5000), clock, T0)).toEqual([
      'r2 has been out of sync since 07:31:12 UTC, 1,234 messages behind.',
    ]);
    expect(sentences(picture(6233), clock, T0 + 60_000)).toEqual([
      'r2 has been out of sync since 07:31:12 UTC, 1 message behind.',
    ]);
    expect(sentences(picture(6234), clock, T0 + 61_000)).toEqual([
      'r2 has been out of sync since 07:31:12 UTC; it holds every committed message and should rejoin the ISR shortly.',
    ]);
  });

  it('says "since at least" for a condition already there when watching started', () => {
    const picture: ClusterPicture = {
      leader: 'r1',
      committedEnd: 5000,
      replicas: [healthy[0], replica('r2', { inSync: false, logEndOffset: 4000 })],
    };
    expect(sentences(picture, new ConditionClock(), T0)).toEqual([
      'r2 has been out of sync since at least 07:31:12 UTC, 1,000 messages behind.',
    ]);
  });

  it('dates a condition anew once it cleared and came back', () => {
    const clock = new ConditionClock();
    clock.observe([], T0 - 5000);
    const out: ClusterPicture = {
      leader: 'r1',
      committedEnd: 5000,
      replicas: [replica('r2', { inSync: false, logEndOffset: 4999 })],
    };
    sentences(out, clock, T0 - 4000);
    sentences({ ...out, replicas: [replica('r2')] }, clock, T0 - 2000);
    expect(sentences(out, clock, T0)).toEqual([
      'r2 has been out of sync since 07:31:12 UTC, 1 message behind.',
    ]);
  });

  it('names every kind of trouble in words', () => {
    const clock = new ConditionClock();
    clock.observe([], T0 - 1000);
    const picture: ClusterPicture = {
      leader: null,
      committedEnd: 5000,
      replicas: [
        replica('r1', {
          role: 'unreachable',
          inSync: true,
          logEndOffset: null,
          highWatermark: null,
        }),
        replica('r2', {
          role: 'unreachable',
          inSync: false,
          logEndOffset: null,
          highWatermark: null,
        }),
        replica('r3', { role: 'unregistered', address: null, logEndOffset: null }),
        replica('r4', { role: 'departed', inSync: false, logEndOffset: null }),
        replica('r5', { problem: 'its log is damaged at offset 17' }),
      ],
    };
    const problems = describeProblems(
      findConditions(picture),
      clock.observe(
        findConditions(picture).map((c) => c.key),
        T0,
      ),
      T0,
    );
    expect(problems.map((p) => [p.key, p.severity, p.text])).toEqual([
      [
        'no-leader',
        'error',
        'No replica has led since 07:31:12 UTC: writes are refused (503) until one is elected.',
      ],
      [
        'unreachable:r1',
        'error',
        'r1 has not answered since 07:31:12 UTC; it is still in the ISR, so commits wait for it until the leader drops it.',
      ],
      ['unreachable:r2', 'warning', 'r2 has not answered since 07:31:12 UTC.'],
      [
        'unregistered:r3',
        'warning',
        'r3 is in the ISR but has not been registered since 07:31:12 UTC: its process has probably stopped, and the leader should drop it from the ISR.',
      ],
      [
        'departed:r4',
        'warning',
        'r4 has been gone since 07:31:12 UTC: it is neither registered nor in the ISR.',
      ],
      [
        'refusing:r5',
        'error',
        'r5 has refused to serve since 07:31:12 UTC: its log is damaged at offset 17',
      ],
    ]);
  });
});
