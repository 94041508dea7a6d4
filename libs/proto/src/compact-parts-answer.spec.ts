import {
  compactPartsAnswer,
  isCompactPartsAnswer,
  readCompactPartsAnswer,
} from './compact-parts-answer';
import { loadDistilledPackage } from './grpc-client';
import type { AppendResponse } from './messages';

/** An AppendStream answer carrying `result`, through the codec grpc-js uses on the wire. */
function overTheWire(result: AppendResponse): AppendResponse {
  const { responseSerialize, responseDeserialize } =
    loadDistilledPackage().Replica.service.AppendStream;
  const bytes = responseSerialize({ answers: [{ request_id: 1, result }] });
  return responseDeserialize(bytes).answers[0].result!;
}

describe('compact parts answer', () => {
  const big = 2 ** 40 + 3; // past 32 bits: offsets travel as uint64
  const results = [
    { baseOffset: big, count: 2, duplicate: false },
    { baseOffset: 17, count: 1, duplicate: true },
    { baseOffset: big + 2, count: 3, duplicate: false },
    { baseOffset: 5, count: 1, duplicate: true },
  ];
  const counts = [2, 1, 3, 1];

  it("gives every part its offset, its request's count and its duplicate flag back, over the wire", () => {
    const answer = compactPartsAnswer(results, counts)!;
    expect(answer.parts).toEqual([]);
    expect(answer.duplicate_parts).toEqual([1, 3]);
    const received = overTheWire(answer);
    expect(isCompactPartsAnswer(received)).toBe(true);
    expect(readCompactPartsAnswer(received, counts)).toEqual([
      { base_offset: big, count: 2, duplicate: false },
      { base_offset: 17, count: 1, duplicate: true },
      { base_offset: big + 2, count: 3, duplicate: false },
      { base_offset: 5, count: 1, duplicate: true },
    ]);
  });

  it('is not compact when a result counts other messages than its part (the full form says it)', () => {
    expect(compactPartsAnswer(results, [2, 1, 2, 1])).toBeUndefined();
  });

  it('an answer with parts (a replica that predates it, or a failed part) is not compact', () => {
    const full = overTheWire({
      base_offset: 0,
      count: 0,
      duplicate: false,
      parts: [
        {
          request_id: 0,
          result: {
            base_offset: 3,
            count: 1,
            duplicate: false,
            parts: [],
            part_base_offsets: [],
            duplicate_parts: [],
          },
          error: null,
        },
      ],
    });
    expect(isCompactPartsAnswer(full)).toBe(false);
  });

  it.each([
    ['fewer offsets than parts', { part_base_offsets: [1, 2], duplicate_parts: [] }],
    ['a duplicate index past the parts', { part_base_offsets: [1, 2, 3], duplicate_parts: [3] }],
    ['duplicate indexes out of order', { part_base_offsets: [1, 2, 3], duplicate_parts: [2, 0] }],
    ['a duplicate index twice', { part_base_offsets: [1, 2, 3], duplicate_parts: [1, 1] }],
  ])('reads %s as a problem, not as answers', (_case, fields) => {
    const answer = { base_offset: 0, count: 0, duplicate: false, ...fields };
    expect(typeof readCompactPartsAnswer(answer, [1, 1, 1])).toBe('string');
  });
});
