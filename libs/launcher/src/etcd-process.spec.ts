import { EtcdProcess } from './etcd-process';

describe('EtcdProcess', () => {
  it('starts a real etcd on a free port and stops it', async () => {
    const etcd = new EtcdProcess();
    await etcd.start();
    try {
      const res = await fetch(`${etcd.endpoint}/health`);
      expect(res.ok).toBe(true);
    } finally {
      await etcd.stop();
    }
  });
});
