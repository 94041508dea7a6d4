import * as grpc from '@grpc/grpc-js';
import { loadDistilledPackage } from './grpc-client';
import { ReplicaClientPool } from './replica-client-pool';
import type { ReadRequest, ReadResponse__Input, StatusResponse__Input } from './messages';

/** A Replica server answering Status at once, Read of offset 1 never, others OUT_OF_RANGE. */
async function startServer() {
  const server = new grpc.Server();
  server.addService(loadDistilledPackage().Replica.service, {
    Status: (_call: unknown, callback: grpc.sendUnaryData<StatusResponse__Input>) =>
      callback(null, { id: 'r1', role: 'leader', epoch: 3 }),
    Read: (
      call: grpc.ServerUnaryCall<ReadRequest, ReadResponse__Input>,
      callback: grpc.sendUnaryData<ReadResponse__Input>,
    ) => {
      if (call.request.offset === 1) return; // never answers: the caller's deadline decides
      const metadata = new grpc.Metadata();
      metadata.set('distilled-reason', 'not-committed');
      callback({ code: grpc.status.OUT_OF_RANGE, details: 'not committed', metadata });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { server, address: `127.0.0.1:${port}` };
}

describe('ReplicaClientPool and ReplicaClient', () => {
  let server: grpc.Server;
  let address: string;
  const events: string[] = [];
  const pool = new ReplicaClientPool({
    onChange: (event, at) => events.push(`${event} ${at}`),
  });
  beforeAll(async () => ({ server, address } = await startServer()));
  afterAll(() => {
    pool.closeAll();
    server.forceShutdown();
  });

  it('makes one client per address and answers unary calls as typed promises', async () => {
    const client = pool.get(address);
    expect(pool.get(address)).toBe(client);
    const status = await client.status(Date.now() + 2_000);
    expect(status).toMatchObject({ id: 'r1', role: 'leader', epoch: 3, isr: [], in_sync: false });
    expect(pool.size).toBe(1);
    expect(events).toEqual([`created ${address}`]);
  });

  it('rejects with the ServiceError and its distilled-* trailers', async () => {
    const error = await pool
      .get(address)
      .read(7, Date.now() + 2_000)
      .catch((e: grpc.ServiceError) => e);
    expect(error).toMatchObject({ code: grpc.status.OUT_OF_RANGE, details: 'not committed' });
    expect((error as grpc.ServiceError).metadata.get('distilled-reason')).toEqual([
      'not-committed',
    ]);
  });

  it('fails a call past its deadline with DEADLINE_EXCEEDED', async () => {
    const error = await pool
      .get(address)
      .read(1, Date.now() + 100)
      .catch((e: grpc.ServiceError) => e);
    expect(error).toMatchObject({ code: grpc.status.DEADLINE_EXCEEDED });
  });

  it('closes the clients of addresses that left, and only those', () => {
    const other = pool.get('127.0.0.1:1');
    const close = jest.spyOn(other, 'close');
    const kept = pool.get(address);
    pool.retain(new Set([address]));
    expect(close).toHaveBeenCalledTimes(1);
    expect(pool.get(address)).toBe(kept);
    expect(pool.size).toBe(1);
    expect(events).toEqual([`created ${address}`, 'created 127.0.0.1:1', 'closed 127.0.0.1:1']);
  });

  it('closeAll closes every client; a later get makes a new one', () => {
    const before = pool.get(address);
    pool.closeAll();
    expect(pool.size).toBe(0);
    expect(pool.get(address)).not.toBe(before);
  });
});
