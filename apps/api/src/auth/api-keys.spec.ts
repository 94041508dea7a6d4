import { parseApiKeys } from './api-keys-file';
import { ApiKeys, bearerToken } from './api-keys';

describe('ApiKeys.find', () => {
  const keys = new ApiKeys(
    parseApiKeys('reader read reader-secret-0001\nwriter write writer-secret-0002\n', 'keys'),
  );

  it('finds the key of a secret', () => {
    expect(keys.find('reader-secret-0001')?.name).toBe('reader');
    expect(keys.find('writer-secret-0002')?.name).toBe('writer');
  });

  it.each(['', 'reader-secret-000', 'reader-secret-00011', 'READER-SECRET-0001'])(
    'finds nothing for %p',
    (secret) => {
      expect(keys.find(secret)).toBeNull();
    },
  );
});

describe('bearerToken', () => {
  it.each<[string | undefined, string | null]>([
    ['Bearer abc.def-123', 'abc.def-123'],
    ['bearer abc', 'abc'],
    ['Bearer   abc  ', 'abc'],
    [undefined, null],
    ['', null],
    ['Bearer', null],
    ['Bearer ', null],
    ['Basic dXNlcjpwYXNz', null],
    ['Bearer two words', null],
    ['Bearer é', null],
  ])('%p -> %p', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});
