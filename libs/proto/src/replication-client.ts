// The client of distilled.v1.Replication that a follower holds to its leader: typed promises for
// the unary call, the typed Fetch stream as grpc-js hands it over.
import { Metadata, type ChannelOptions, type ClientDuplexStream } from '@grpc/grpc-js';
import { createReplicationStub, type ReplicationStub } from './grpc-client';
import type { GrpcSecurity } from './grpc-security';
import { unaryCall } from './unary-call';
import type { EndOffsetForEpochResponse, FetchRequest__Input, FetchResponse } from './messages';

export type FetchStream = ClientDuplexStream<FetchRequest__Input, FetchResponse>;

/** One channel to one replica's Replication service, reused across fetch streams. */
export class ReplicationClient {
  private readonly stub: ReplicationStub;

  /**
   * `security`: the replica's one GrpcSecurity (plaintext when omitted); `options` go on top of
   * the shared client channel options.
   */
  constructor(
    readonly address: string,
    security?: GrpcSecurity,
    options: ChannelOptions = {},
  ) {
    this.stub = createReplicationStub(address, options, security);
  }

  endOffsetForEpoch(
    epoch: number,
    deadline: number,
    metadata = new Metadata(),
  ): Promise<EndOffsetForEpochResponse> {
    return unaryCall(this.stub.EndOffsetForEpoch.bind(this.stub), { epoch }, deadline, metadata);
  }

  fetch(): FetchStream {
    return this.stub.Fetch();
  }

  close(): void {
    this.stub.close();
  }
}
