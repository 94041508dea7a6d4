import { ApiProblem } from '../problems';
import { FakeReplicaGateway } from '../testing/fake-replica-gateway';
import { HealthService } from './health.service';

describe('HealthService', () => {
  let gateway: FakeReplicaGateway;
  let service: HealthService;

  beforeEach(() => {
    gateway = new FakeReplicaGateway();
    service = new HealthService(gateway);
  });

  describe('live', () => {
    it('is ok while the process answers', () => {
      expect(service.live()).toEqual({ status: 'ok' });
    });
  });

  describe('ready', () => {
    it('is ready when the leader says it leads', async () => {
      expect(await service.ready()).toEqual({ status: 'ready', leader: 'r1', epoch: 1 });
    });

    it.each<[string, (gateway: FakeReplicaGateway) => void]>([
      ['no leader is elected', (g) => (g.leaderId = null)],
      ['the leader does not answer', (g) => g.unreachable.add('r1')],
      [
        'the leader does not say it leads',
        (g) => jest.spyOn(g, 'leader').mockReturnValue({ id: 'r2', address: 'r2:50051' }),
      ],
    ])('is a 503 problem when %s', async (_case, arrange) => {
      arrange(gateway);
      const error = await service.ready().catch((rejection: unknown) => rejection);
      expect(error).toBeInstanceOf(ApiProblem);
      expect((error as ApiProblem).status).toBe(503);
      expect((error as ApiProblem).headers['Retry-After']).toBe('1');
    });
  });
});
