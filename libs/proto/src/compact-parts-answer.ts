/**
 * The compact answer to an Append with parts (AppendRequest.compact_parts_answer): when every
 * part succeeded, the parts' base offsets packed in one list and the duplicates' indexes,
 * instead of an AppendAnswer holding an AppendResponse per part. Each part's count is the
 * request's own (parts[i].count), so it does not travel back. With ~60 parts per Append at 64
 * concurrent keyed writes, the full form made, encoded, decoded and collected ~120 nested
 * protobuf messages per Append on each side.
 */
import type { AppendResponse } from './messages';

/** What the leader decided for one part that succeeded. */
export interface PartResult {
  baseOffset: number;
  count: number;
  duplicate: boolean;
}

/** No parts list in a compact answer, nor in a part's own answer: one frozen empty list. */
const NONE = Object.freeze([]) as unknown as never[];

/**
 * The compact answer for parts that all succeeded (`results[i]` for part i, whose request
 * carried `counts[i]` messages); undefined when a result's count differs from its part's (never
 * expected: a replay matches its request's hash), since the client takes the count from the
 * request.
 */
export function compactPartsAnswer(
  results: readonly PartResult[],
  counts: readonly number[],
): AppendResponse | undefined {
  const baseOffsets = new Array<number>(results.length);
  const duplicates: number[] = [];
  for (let i = 0; i < results.length; i++) {
    const result = results[i];
    if (result.count !== counts[i]) return undefined;
    baseOffsets[i] = result.baseOffset;
    if (result.duplicate) duplicates.push(i);
  }
  return {
    base_offset: 0,
    count: 0,
    duplicate: false,
    parts: NONE,
    part_base_offsets: baseOffsets,
    duplicate_parts: duplicates,
  };
}

/** Whether `response` is a compact parts answer (an answer with `parts` is not). */
export function isCompactPartsAnswer(response: AppendResponse): boolean {
  return (response.part_base_offsets?.length ?? 0) > 0;
}

/**
 * Each part's answer from a compact parts answer to a request whose parts carried `counts`
 * messages; a string saying what is wrong when it does not fit the request (the parts may
 * then each have been stored or not).
 */
export function readCompactPartsAnswer(
  response: AppendResponse,
  counts: readonly number[],
): AppendResponse[] | string {
  const baseOffsets = response.part_base_offsets ?? [];
  const duplicates = response.duplicate_parts ?? [];
  if (baseOffsets.length !== counts.length) {
    return `the replica answered ${baseOffsets.length} parts for ${counts.length}`;
  }
  const answers = new Array<AppendResponse>(counts.length);
  let next = 0; // index into duplicates, which ascend
  for (let i = 0; i < counts.length; i++) {
    const duplicate = next < duplicates.length && duplicates[next] === i;
    if (duplicate) next += 1;
    answers[i] = { base_offset: baseOffsets[i], count: counts[i], duplicate };
  }
  if (next !== duplicates.length) {
    return `the replica named duplicate parts that are not ascending part indexes (${duplicates.join(', ')})`;
  }
  return answers;
}
