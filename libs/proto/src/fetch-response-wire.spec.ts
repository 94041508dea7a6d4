import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createReplicationStub } from './grpc-client';
import {
  decodeFetchResponse,
  encodeFetchResponse,
  passEncodedFetchResponses,
} from './fetch-response-wire';
import type { FetchResponse } from './messages';
import { PROTO_LOADER_OPTIONS, resolveProtoPath } from './proto-path';

const response = {
  epoch: 5,
  high_watermark: 2 ** 40 + 3, // past 32 bits: the uint64 fields travel whole
  batches: Buffer.from('record batches'),
  leader_log_end_offset: 2 ** 40 + 9,
  log_start_offset: 17,
  request_kept: false,
};

/** A Replication server whose Fetch answers every request with `answers`, as they are. */
async function fetchServer(
  answers: (Buffer | typeof response)[],
  passEncoded: boolean,
): Promise<{ server: grpc.Server; address: string }> {
  const definition = protoLoader.loadSync(resolveProtoPath(), { ...PROTO_LOADER_OPTIONS });
  if (passEncoded) passEncodedFetchResponses(definition);
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    distilled: { v1: { Replication: grpc.ServiceClientConstructor } };
  };
  const server = new grpc.Server();
  server.addService(pkg.distilled.v1.Replication.service, {
    Fetch: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
      call.once('data', () => {
        for (const answer of answers) call.write(answer);
        call.end();
      });
    },
    EndOffsetForEpoch: () => undefined,
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { server, address: `127.0.0.1:${port}` };
}

/** What a follower's stock client receives from `address`'s Fetch. */
async function fetchAll(address: string): Promise<FetchResponse[]> {
  const stub = createReplicationStub(address);
  try {
    const call = stub.Fetch();
    call.write({ follower_id: 'b', epoch: 5, log_end_offset: 0 });
    const received: FetchResponse[] = [];
    for await (const answer of call as AsyncIterable<FetchResponse>) received.push(answer);
    return received;
  } finally {
    stub.close();
  }
}

describe('FetchResponse encoded ahead of the send', () => {
  it('decodes to the response it was encoded from', () => {
    expect(decodeFetchResponse(encodeFetchResponse(response))).toEqual(response);
  });

  it('reaches a follower as the same response the stock encoding sends', async () => {
    const encoded = await fetchServer([encodeFetchResponse(response), response], true);
    const stock = await fetchServer([response], false);
    try {
      const [fromBytes, fromObject] = await fetchAll(encoded.address);
      const [fromStock] = await fetchAll(stock.address);
      expect(fromStock).toEqual(response);
      expect(fromBytes).toEqual(fromStock);
      // The patched method still encodes a response given as an object.
      expect(fromObject).toEqual(fromStock);
    } finally {
      encoded.server.forceShutdown();
      stock.server.forceShutdown();
    }
  });

  it('refuses a definition without Replication.Fetch', () => {
    expect(() => passEncodedFetchResponses({})).toThrow(/Replication\.Fetch/);
  });
});
