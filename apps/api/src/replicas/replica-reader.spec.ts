import { ApiProblem } from '../problems';
import { FakeReplicaGateway } from '../testing/fake-replica-gateway';
import { ReplicaReader } from './replica-reader';

describe('ReplicaReader', () => {
  let gateway: FakeReplicaGateway;
  let reader: ReplicaReader;

  beforeEach(() => {
    gateway = new FakeReplicaGateway();
    gateway.store({
      messages: [Buffer.from('zero'), Buffer.from('one')],
      producer_id: 1,
      sequence: 1,
    });
    reader = new ReplicaReader(gateway);
  });
  afterEach(() => jest.restoreAllMocks());

  /** Makes the shuffle put `id` first. */
  function startWith(id: string): void {
    const order = gateway.members.map((member) => member.id);
    // With random() just below 1 the shuffle leaves the order as it is.
    jest.spyOn(Math, 'random').mockReturnValue(0.999);
    gateway.members.sort((a, b) =>
      a.id === id ? -1 : b.id === id ? 1 : order.indexOf(a.id) - order.indexOf(b.id),
    );
  }

  async function problemOf(promise: Promise<unknown>): Promise<ApiProblem> {
    const error = await promise.then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect(error).toBeInstanceOf(ApiProblem);
    return error as ApiProblem;
  }

  describe('read', () => {
    it('sends the reads of one turn of the event loop as one ReadBatch to one replica', async () => {
      const results = await Promise.all([0, 1, 0, 1].map((offset) => reader.read(offset)));
      expect(results.map((result) => result.message.toString())).toEqual([
        'zero',
        'one',
        'zero',
        'one',
      ]);
      expect(gateway.readBatchCalls).toHaveLength(1);
      expect(gateway.readBatchCalls[0].offsets).toEqual([0, 1, 0, 1]);
    });

    it('asks the leader only about the offsets the batch replica has not committed', async () => {
      startWith('r2');
      gateway.highWatermarks.set('r2', 1);
      const [zero, one, two] = await Promise.allSettled([0, 1, 2].map((o) => reader.read(o)));
      expect(zero).toMatchObject({ status: 'fulfilled', value: { offset: 0 } });
      expect(one).toMatchObject({ status: 'fulfilled', value: { offset: 1 } });
      expect(two).toMatchObject({ status: 'rejected', reason: { status: 404 } });
      expect(gateway.readBatchCalls.map((call) => call.replica.id)).toEqual(['r2']);
      // One Read each to the leader, for 1 and 2 only.
      expect(gateway.readCalls.slice(3)).toEqual([
        { replica: expect.objectContaining({ id: 'r1' }), offset: 1 },
        { replica: expect.objectContaining({ id: 'r1' }), offset: 2 },
      ]);
    });

    it('falls back to one Read per offset on the other replicas when the batch call fails', async () => {
      startWith('r3');
      gateway.unreachable.add('r3');
      const results = await Promise.all([0, 1].map((offset) => reader.read(offset)));
      expect(results.map((result) => result.message.toString())).toEqual(['zero', 'one']);
      expect(gateway.readBatchCalls).toHaveLength(1);
      expect(gateway.readCalls.slice(2).every((call) => call.replica.id !== 'r3')).toBe(true);
    });

    it('reads alone the offsets a capped ReadBatch answer left out', async () => {
      const original = gateway.readBatch.bind(gateway);
      jest.spyOn(gateway, 'readBatch').mockImplementation(async (replica, offsets) => {
        const full = await original(replica, offsets);
        return { ...full, messages: full.messages.slice(0, 1), found: full.found.slice(0, 1) };
      });
      const results = await Promise.all([0, 1].map((offset) => reader.read(offset)));
      expect(results.map((result) => result.message.toString())).toEqual(['zero', 'one']);
      expect(gateway.readBatchCalls).toHaveLength(1);
    });

    it('spreads reads over the replicas', async () => {
      for (let i = 0; i < 60; i += 1) await reader.read(0);
      const used = new Set(gateway.readCalls.map((call) => call.replica.id));
      expect(used).toEqual(new Set(['r1', 'r2', 'r3']));
    });

    it('asks the leader when a follower has not seen the offset yet', async () => {
      startWith('r2');
      gateway.highWatermarks.set('r2', 1);
      const result = await reader.read(1);
      expect(result.message.toString()).toBe('one');
      expect(gateway.readCalls.map((call) => call.replica.id)).toEqual(['r2', 'r1']);
    });

    it("answers 404 with the leader's high watermark when the leader has not committed it", async () => {
      startWith('r2');
      gateway.highWatermarks.set('r2', 1);
      const problem = await problemOf(reader.read(2));
      expect(problem.status).toBe(404);
      expect(problem.problem.nextOffset).toBe(2);
      expect(gateway.readCalls.map((call) => call.replica.id)).toEqual(['r2', 'r1']);
    });

    it('answers 404 once the leader itself says the offset is past its log end', async () => {
      startWith('r1');
      const problem = await problemOf(reader.read(5));
      expect(problem.status).toBe(404);
      // The batched first try carries no role, so the leader confirms with a one-offset Read.
      expect(gateway.readCalls.map((call) => call.replica.id)).toEqual(['r1', 'r1']);
    });

    it('answers 503, not 404, when the replica etcd names as leader just restarted and does not lead', async () => {
      // Found by the fault suite: a leader SIGKILLed and back within its lease still looks like
      // the leader, but restarted with no high watermark it answers "not committed" for
      // acknowledged offsets.
      startWith('r1');
      gateway.roles.set('r1', 'starting');
      for (const id of ['r1', 'r2', 'r3']) gateway.highWatermarks.set(id, 0);
      const problem = await problemOf(reader.read(1));
      expect(problem.status).toBe(503);
    });

    it('answers 503, not 404, when the leader holds the offset but has not seen it committed', async () => {
      startWith('r2');
      for (const id of ['r1', 'r2', 'r3']) gateway.highWatermarks.set(id, 0);
      const problem = await problemOf(reader.read(1)); // the log holds offsets 0 and 1
      expect(problem.status).toBe(503);
    });

    it('tries another replica when one is unreachable', async () => {
      startWith('r3');
      gateway.unreachable.add('r3');
      expect((await reader.read(0)).message.toString()).toBe('zero');
      expect(gateway.readCalls[0].replica.id).toBe('r3');
      expect(gateway.readCalls).toHaveLength(2);
    });

    it('reads elsewhere when the replica it asked is repairing its log (ReadBatch, then Read)', async () => {
      startWith('r2');
      gateway.repairing.add('r2');
      const results = await Promise.all([0, 1].map((offset) => reader.read(offset)));
      expect(results.map((result) => result.message.toString())).toEqual(['zero', 'one']);
      expect(gateway.readBatchCalls.map((call) => call.replica.id)).toEqual(['r2']);
      expect(gateway.readCalls.slice(2).every((call) => call.replica.id !== 'r2')).toBe(true);
    });

    it('never answers 404 on the word of a repairing replica, even one etcd names as leader', async () => {
      startWith('r2');
      gateway.repairing.add('r1');
      gateway.highWatermarks.set('r2', 1);
      gateway.highWatermarks.set('r3', 1);
      const problem = await problemOf(reader.read(1));
      expect(problem.status).toBe(503);
    });

    it('answers 503, not 404, when no leader can confirm the offset is unwritten', async () => {
      gateway.unreachable.add('r1');
      gateway.highWatermarks.set('r2', 0);
      gateway.highWatermarks.set('r3', 0);
      const problem = await problemOf(reader.read(0));
      expect(problem.status).toBe(503);
      expect(problem.headers['Retry-After']).toBe('1');
    });

    it('answers 503 when no leader is known and the followers have not seen it', async () => {
      gateway.leaderId = null;
      gateway.highWatermarks.set('r2', 0);
      gateway.highWatermarks.set('r3', 0);
      gateway.highWatermarks.set('r1', 0);
      expect((await problemOf(reader.read(0))).status).toBe(503);
    });

    it('answers 503 when no replica is registered', async () => {
      gateway.members = [];
      expect((await problemOf(reader.read(0))).status).toBe(503);
    });
  });
});
