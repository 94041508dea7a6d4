import { createHash } from 'node:crypto';
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

  it('is the SHA-256 of the route and the length-prefixed messages, for small and large requests', () => {
    // Keys already in logs were hashed this way: a retry after an API upgrade must still match.
    const reference = (route: string, messages: Buffer[]) => {
      const hash = createHash('sha256').update(route);
      for (const message of messages) {
        const length = Buffer.alloc(4);
        length.writeUInt32BE(message.length, 0);
        hash.update(length).update(message);
      }
      return hash.digest().subarray(0, REQUEST_HASH_BYTES);
    };
    const small = b('a', 'bc');
    const large = [Buffer.alloc(70 * 1024, 1), Buffer.from('z')];
    expect(requestHash('batch', small).equals(reference('batch', small))).toBe(true);
    expect(requestHash('message', large).equals(reference('message', large))).toBe(true);
  });
});
