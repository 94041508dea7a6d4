import { parseApiKeys } from '../auth/api-keys-file';
import { RateLimitSubjects } from './rate-limit-subjects';
import { isUnlimitedRoute } from './unlimited-routes';

const keys = parseApiKeys(
  [
    'plain write plain-secret-0000001',
    'slow write slow-secret-00000002 rate-limit=5',
    'free write free-secret-00000003 rate-limit=off',
  ].join('\n'),
  'keys',
);

describe('RateLimitSubjects', () => {
  describe('of', () => {
    it('counts a known key against its name, with its own limit or the default', () => {
      const subjects = new RateLimitSubjects({ rateLimit: 100, apiKeys: keys });
      const of = (secret: string) =>
        subjects.of({ ip: '10.0.0.1', authorization: `Bearer ${secret}` });
      expect(of('plain-secret-0000001')).toEqual({
        id: 'key:plain',
        label: 'The API key "plain"',
        limit: 100,
      });
      expect(of('slow-secret-00000002')).toMatchObject({ id: 'key:slow', limit: 5 });
      expect(of('free-secret-00000003')).toMatchObject({ id: 'key:free', limit: null });
    });

    it('counts no key and an unknown key against the client address', () => {
      const subjects = new RateLimitSubjects({ rateLimit: 100, apiKeys: keys });
      for (const authorization of [undefined, 'Bearer not-a-key-at-all-1', 'Basic eDp5']) {
        expect(subjects.of({ ip: '10.0.0.1', authorization })).toEqual({
          id: 'ip:10.0.0.1',
          label: 'The client at 10.0.0.1, without a known API key,',
          limit: 100,
        });
      }
    });

    it('counts by address when keys are off, an IPv6 client by its /64', () => {
      const subjects = new RateLimitSubjects({ rateLimit: 7, apiKeys: null });
      expect(subjects.of({ ip: '127.0.0.1', authorization: 'Bearer x' })).toEqual({
        id: 'ip:127.0.0.1',
        label: 'The client at 127.0.0.1',
        limit: 7,
      });
      expect(subjects.of({ ip: '2001:db8:1:2:3:4:5:6', authorization: undefined }).id).toBe(
        subjects.of({ ip: '2001:db8:1:2:ffff::1', authorization: undefined }).id,
      );
    });

    it('leaves everyone but limited keys alone when only keys have limits', () => {
      const subjects = new RateLimitSubjects({ rateLimit: null, apiKeys: keys });
      expect(subjects.of({ ip: '10.0.0.1', authorization: undefined }).limit).toBeNull();
      expect(
        subjects.of({ ip: '10.0.0.1', authorization: 'Bearer plain-secret-0000001' }).limit,
      ).toBeNull();
      expect(
        subjects.of({ ip: '10.0.0.1', authorization: 'Bearer slow-secret-00000002' }).limit,
      ).toBe(5);
    });
  });

  describe('anyLimit', () => {
    it.each([
      ['a default limit', { rateLimit: 10, apiKeys: null }, true],
      ['a key with its own limit', { rateLimit: null, apiKeys: keys }, true],
      ['no limit anywhere', { rateLimit: null, apiKeys: null }, false],
      ['keys without limits', { rateLimit: null, apiKeys: [keys[0], keys[2]] }, false],
    ])('%s: %s', (_name, settings, expected) => {
      expect(RateLimitSubjects.anyLimit(settings)).toBe(expected);
    });
  });
});

describe('isUnlimitedRoute', () => {
  it.each([
    ['/health', true],
    ['/health/ready', true],
    ['/docs', true],
    ['/docs-json', true],
    ['/docs/*', true],
    ['/ui', true],
    ['/ui/assets/:file', true],
    ['/UI/', true],
    ['/ui/events', false],
    ['/Data', false],
    ['/Data/Batch', false],
    ['/Data/Stream', false],
    ['/Cluster', false],
    ['/metrics', false],
    ['/healthz', false],
    ['/documents', false],
    [undefined, false],
  ])('%s: %s', (url, expected) => {
    expect(isUnlimitedRoute(url)).toBe(expected);
  });
});
