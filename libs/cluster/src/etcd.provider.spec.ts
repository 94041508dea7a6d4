import { EtcdFixture } from '../test/etcd-fixture';
import { EtcdClientCloser, createEtcdClient } from './etcd.provider';

describe('etcd provider', () => {
  const fx = new EtcdFixture();
  beforeAll(() => fx.start());
  afterAll(() => fx.stop());

  describe('createEtcdClient', () => {
    it('talks to the given endpoints', async () => {
      const client = createEtcdClient({ endpoints: [fx.etcd.endpoint] });
      try {
        await client.put('/provider-spec/k').value('v').exec();
        expect(await client.get('/provider-spec/k').string()).toBe('v');
      } finally {
        client.close();
      }
    });

    it('fails a call to an unreachable etcd instead of hanging', async () => {
      const client = createEtcdClient({ endpoints: ['http://127.0.0.1:1'] });
      try {
        await expect(client.get('k').string()).rejects.toThrow();
      } finally {
        client.close();
      }
    }, 15_000);
  });

  describe('EtcdClientCloser', () => {
    it('closes the client at application shutdown', () => {
      const client = createEtcdClient({ endpoints: [fx.etcd.endpoint] });
      const close = jest.spyOn(client, 'close');
      new EtcdClientCloser(client).onApplicationShutdown();
      expect(close).toHaveBeenCalledTimes(1);
    });
  });
});
