/**
 * The elements of every list, in order, as one new array: what `lists.flatMap((l) => l)` gives,
 * ~40 times faster. V8's flatMap takes a generic path (a property lookup per element): ~110 ns
 * per element against ~2.5 ns here, i.e. ~0.1 µs per message wherever a batch's messages are
 * joined (the API's producer, the leader's coalescer).
 */
export function concatLists<T>(lists: readonly (readonly T[])[]): T[] {
  let length = 0;
  for (const list of lists) length += list.length;
  const all = new Array<T>(length);
  let at = 0;
  for (const list of lists) {
    for (let i = 0; i < list.length; i++) all[at++] = list[i];
  }
  return all;
}
