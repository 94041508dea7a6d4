import { FakeReplicaGateway } from '../testing/fake-replica-gateway';
import { ClusterService } from './cluster.service';

describe('ClusterService', () => {
  let gateway: FakeReplicaGateway;
  let service: ClusterService;

  beforeEach(() => {
    gateway = new FakeReplicaGateway();
    gateway.store({ messages: [Buffer.from('a')], producer_id: 1, sequence: 1 });
    service = new ClusterService(gateway);
  });

  describe('view', () => {
    it('joins the cluster state with every replica status', async () => {
      gateway.highWatermarks.set('r3', 0);
      expect(await service.view()).toEqual({
        leader: 'r1',
        epoch: 1,
        nodes: [
          {
            id: 'r1',
            address: 'r1:50051',
            role: 'leader',
            inSync: true,
            logEndOffset: 1,
            highWatermark: 1,
            logStartOffset: 0,
          },
          {
            id: 'r2',
            address: 'r2:50051',
            role: 'follower',
            inSync: true,
            logEndOffset: 1,
            highWatermark: 1,
            logStartOffset: 0,
          },
          {
            id: 'r3',
            address: 'r3:50051',
            role: 'follower',
            inSync: true,
            logEndOffset: 1,
            highWatermark: 0,
            logStartOffset: 0,
          },
        ],
      });
    });

    it('lists an unreachable replica and an unregistered ISR member', async () => {
      gateway.unreachable.add('r2');
      jest
        .spyOn(gateway, 'clusterState')
        .mockReturnValue({ epoch: 4, leader: 'r1', isr: ['r1', 'r4'] });
      const view = await service.view();
      expect(view.epoch).toBe(4);
      expect(view.nodes.find((node) => node.id === 'r2')).toEqual({
        id: 'r2',
        address: 'r2:50051',
        role: 'unreachable',
        inSync: false,
        logEndOffset: null,
        highWatermark: null,
        logStartOffset: null,
      });
      expect(view.nodes.find((node) => node.id === 'r4')).toMatchObject({
        role: 'unregistered',
        address: null,
        inSync: true,
      });
    });

    it('marks a replica whose disk is full, and only that one', async () => {
      gateway.diskFull.add('r2');
      const view = await service.view();
      expect(view.nodes.find((node) => node.id === 'r2')?.diskFull).toBe(true);
      expect(view.nodes.filter((node) => 'diskFull' in node).map((node) => node.id)).toEqual([
        'r2',
      ]);
    });

    it('answers leader null and epoch 0 before the first election', async () => {
      jest.spyOn(gateway, 'clusterState').mockReturnValue(null);
      gateway.leaderId = null;
      const view = await service.view();
      expect(view.leader).toBeNull();
      expect(view.epoch).toBe(0);
    });
  });
});
