import { REQUEST_HASH_BYTES, requestHash } from './request-hash';

const b = (...parts: string[]) => parts.map((part) => Buffer.from(part));

describe('requestHash', () => {
  it('is 16 bytes and the same for the same request', () => {
    const hash = requestHash('batch', b('a', 'b'));
    expect(hash).toHaveLength(REQUEST_HASH_BYTES);
    expect(requestHash('batch', b('a', 'b')).equals(hash)).toBe(true);
  });

  it.each([
    ['another message', requestHash('batch', b('a', 'c'))],
    ['the same bytes split differently', requestHash('batch', b('ab', ''))],
    ['another order', requestHash('batch', b('b', 'a'))],
    ['the other route', requestHash('message', b('a', 'b'))],
  ])('differs for %s', (_case, other) => {
    expect(other.equals(requestHash('batch', b('a', 'b')))).toBe(false);
  });
});
