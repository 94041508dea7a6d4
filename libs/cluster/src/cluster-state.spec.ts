import { firstValueFrom, filter } from 'rxjs';
import { EtcdFixture, MemoryLogger, waitFor } from '../test/etcd-fixture';
import type { VersionedClusterState } from './cluster.interface';
import { ClusterStateService, decodeClusterState, encodeClusterState } from './cluster-state';
import { ClusterKeys } from './keys';

describe('ClusterStateService', () => {
  const fx = new EtcdFixture();
  const services: ClusterStateService[] = [];
  beforeAll(() => fx.start());
  afterEach(async () => {
    await Promise.all(services.splice(0).map((s) => s.close()));
    fx.closeClients();
  });
  afterAll(() => fx.stop());

  function store() {
    const options = fx.options();
    const client = fx.client();
    const service = new ClusterStateService(client, options, new MemoryLogger());
    services.push(service);
    return { service, client, key: new ClusterKeys(options.cluster).state };
  }

  describe('decodeClusterState', () => {
    it('round-trips a state', () => {
      const state = { epoch: 3, leader: 'a', isr: ['a', 'b'] };
      expect(decodeClusterState(encodeClusterState(state))).toEqual(state);
    });
    it('round-trips incarnations, and reads a state from before them unchanged', () => {
      const state = { epoch: 3, leader: 'a', isr: ['a', 'b'], incarnations: { a: 'x' } };
      expect(decodeClusterState(encodeClusterState(state))).toEqual(state);
      expect(decodeClusterState('{"epoch":3,"leader":null,"isr":["a"]}')).toEqual({
        epoch: 3,
        leader: null,
        isr: ['a'],
      });
    });
    it('writes incarnations of ISR members only, and none when there are none', () => {
      const state = { epoch: 3, leader: 'a', isr: ['a'], incarnations: { a: 'x', gone: 'y' } };
      expect(JSON.parse(encodeClusterState(state))).toEqual({
        epoch: 3,
        leader: 'a',
        isr: ['a'],
        incarnations: { a: 'x' },
      });
      expect(encodeClusterState({ ...state, incarnations: {} })).toBe(
        '{"epoch":3,"leader":"a","isr":["a"]}',
      );
    });
    it.each([
      '{}',
      '{"epoch":1.5,"leader":"a","isr":[]}',
      '{"epoch":1,"leader":2,"isr":[]}',
      'null',
    ])('rejects %s', (raw) => expect(() => decodeClusterState(raw)).toThrow());
    it.each([
      [
        'not an object',
        '{"epoch":1,"leader":"a","isr":["a"],"incarnations":["x"]}',
        'is not an object',
      ],
      [
        'an empty id',
        '{"epoch":1,"leader":"a","isr":["a"],"incarnations":{"a":""}}',
        'of a is not a non-empty string',
      ],
      [
        'a non-member',
        '{"epoch":1,"leader":"a","isr":["a"],"incarnations":{"b":"x"}}',
        'name b, which is not in the ISR',
      ],
    ])('rejects incarnations that are %s, saying so', (_case, raw, why) =>
      expect(() => decodeClusterState(raw)).toThrow(`not a cluster state (incarnations ${why})`),
    );
  });

  describe('read', () => {
    it('returns null without a state and the state with its mod revision after a put', async () => {
      const { service, client, key } = store();
      expect(await service.read()).toBeNull();
      const put = await client
        .put(key)
        .value(encodeClusterState({ epoch: 1, leader: 'a', isr: ['a'] }))
        .exec();
      expect(await service.read()).toEqual({
        state: { epoch: 1, leader: 'a', isr: ['a'] },
        modRevision: put.header.revision,
      });
    });
  });

  describe('state$', () => {
    it('starts with null (not before the first read) and follows every change', async () => {
      const { service, client, key } = store();
      const seen: (VersionedClusterState | null)[] = [];
      const sub = service.state$.subscribe((s) => seen.push(s));
      await waitFor('first state', () => seen.length === 1);
      expect(seen[0]).toBeNull();
      await client
        .put(key)
        .value(encodeClusterState({ epoch: 1, leader: 'a', isr: ['a'] }))
        .exec();
      await client
        .put(key)
        .value(encodeClusterState({ epoch: 2, leader: 'b', isr: ['a', 'b'] }))
        .exec();
      await waitFor('epoch 2', () => service.current()?.state.epoch === 2);
      expect(seen.map((s) => s?.state.epoch ?? null)).toEqual([null, 1, 2]);
      sub.unsubscribe();
    });

    it('starts with the current state for a late subscriber and keeps the last good one on garbage', async () => {
      const { service, client, key } = store();
      await client
        .put(key)
        .value(encodeClusterState({ epoch: 7, leader: 'x', isr: ['x'] }))
        .exec();
      await service.start();
      const first = await firstValueFrom(service.state$);
      expect(first?.state.epoch).toBe(7);
      await client.put(key).value('garbage').exec();
      await client
        .put(key)
        .value(encodeClusterState({ epoch: 8, leader: 'x', isr: ['x'] }))
        .exec();
      const eight = await firstValueFrom(service.state$.pipe(filter((s) => s?.state.epoch === 8)));
      expect(eight?.state.leader).toBe('x');
    });
  });
});
