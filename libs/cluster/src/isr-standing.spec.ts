import type { ClusterState } from './cluster.interface';
import { isrStanding } from './isr-standing';

const state = (incarnations?: Record<string, string>): ClusterState => ({
  epoch: 3,
  leader: 'a',
  isr: ['a', 'b'],
  ...(incarnations ? { incarnations } : {}),
});
const intact = (id: string) => ({ id, isNew: false });
const fresh = (id: string) => ({ id, isNew: true });

describe('isrStanding', () => {
  it.each([
    ['listed with the recorded incarnation', state({ b: 'x' }), intact('x'), true],
    [
      'a fresh directory the ISR recorded (it joined, then restarted)',
      state({ b: 'x' }),
      fresh('x'),
      true,
    ],
    ['listed with another incarnation (wiped, restarted)', state({ b: 'x' }), fresh('y'), false],
    [
      'listed with another intact incarnation (another disk swapped in)',
      state({ b: 'x' }),
      intact('y'),
      false,
    ],
    ['upgrade: no recorded incarnation, intact directory', state(), intact('y'), true],
    ['upgrade: no recorded incarnation, new directory', state(), fresh('y'), false],
    ['upgrade, partly recorded: none for b, new directory', state({ a: 'q' }), fresh('y'), false],
    ['no incarnation known: by id alone', state({ b: 'x' }), undefined, true],
  ])('%s', (_case, cluster, incarnation, inSync) => {
    expect(isrStanding(cluster, 'b', incarnation).inSync).toBe(inSync);
  });

  it('an id named like an Object.prototype property reads only its own recorded incarnation', () => {
    const cluster: ClusterState = { epoch: 3, leader: 'a', isr: ['a', 'constructor'] };
    cluster.incarnations = { a: 'q' };
    expect(isrStanding(cluster, 'constructor', intact('y')).inSync).toBe(true);
  });

  it('a replica outside the ISR is not in sync, whatever its directory', () => {
    expect(isrStanding(state({ a: 'q' }), 'c', intact('q'))).toEqual({
      inSync: false,
      listed: false,
      why: 'c is not in the ISR (a, b)',
    });
  });

  it('says what happened to an operator', () => {
    const standing = isrStanding(state({ b: 'x' }), 'b', fresh('y'));
    expect(standing).toMatchObject({
      listed: true,
      why: 'the data directory of b was created empty (incarnation y) but the ISR recorded x: it may lack committed messages',
    });
  });
});
