import { ClusterKeys } from './keys';

describe('ClusterKeys', () => {
  const keys = new ClusterKeys('blue');

  it('puts every key under /<cluster>/', () => {
    expect(keys.root).toBe('/blue/');
    expect(keys.member('r1')).toBe('/blue/members/r1');
    expect(keys.state).toBe('/blue/state');
  });

  it('maps member keys back to ids and ignores other keys', () => {
    expect(keys.memberId('/blue/members/r1')).toBe('r1');
    expect(keys.memberId('/blue/state')).toBeUndefined();
  });

  it.each(['', 'a/b'])('rejects the cluster name %p', (name) => {
    expect(() => new ClusterKeys(name)).toThrow(/cluster name/);
  });
});
