/**
 * Where the appends of one turn are cut into record batches, for both kinds of coalescing on
 * the leader (AppendCoalescer for unkeyed appends, KeyedAppends for keyed ones): in arrival
 * order, each batch within the size limits below, a call's messages never split (a call larger
 * than the limits is a batch of its own).
 */

/** A coalesced batch stays well under the log's batch limit and the gRPC message limit. */
export const COALESCE_MAX_BYTES = 1024 * 1024;
export const COALESCE_MAX_MESSAGES = 4096;

export interface CoalescedCall {
  messages: readonly Buffer[];
  /** What the call adds to the batch in bytes (its messages, and any per-call extension). */
  bytes: number;
}

/**
 * `calls` in order, cut into groups within the limits; `joins(call, group)` may also start a
 * new group before a call that cannot share the current one.
 */
export function coalesceGroups<T extends CoalescedCall>(
  calls: readonly T[],
  joins: (call: T, group: readonly T[]) => boolean = () => true,
): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let bytes = 0;
  let count = 0;
  for (const call of calls) {
    const full =
      bytes + call.bytes > COALESCE_MAX_BYTES ||
      count + call.messages.length > COALESCE_MAX_MESSAGES ||
      (group.length > 0 && !joins(call, group));
    if (group.length > 0 && full) {
      groups.push(group);
      group = [];
      bytes = count = 0;
    }
    group.push(call);
    bytes += call.bytes;
    count += call.messages.length;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}
