import {
  Metadata,
  type CallOptions,
  type Client,
  type ClientDuplexStream,
  type ClientUnaryCall,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  createGrpcClient,
  type EndOffsetForEpochRequest,
  type EndOffsetForEpochResponse,
  type FetchRequest,
  type FetchResponse,
} from '@distilled/proto';
import { END_OFFSET_DEADLINE_MS, LEADER_EPOCH_METADATA } from '../constants';

/** The Replication service as grpc-js generates it at run time. */
interface ReplicationStub extends Client {
  EndOffsetForEpoch(
    request: EndOffsetForEpochRequest,
    metadata: Metadata,
    options: CallOptions,
    callback: (error: ServiceError | null, response?: EndOffsetForEpochResponse) => void,
  ): ClientUnaryCall;
  Fetch(
    metadata?: Metadata,
    options?: CallOptions,
  ): ClientDuplexStream<FetchRequest, FetchResponse>;
}

export type FetchStream = ClientDuplexStream<FetchRequest, FetchResponse>;

/**
 * A follower's connection to one leader address: one channel, reused across reconnects of the
 * fetch stream, closed when the leader changes (STYLE.md rule 5).
 */
export class LeaderClient {
  private readonly stub: ReplicationStub;

  constructor(readonly address: string) {
    this.stub = createGrpcClient('Replication', address) as ReplicationStub;
  }

  /** KIP-101 question to the leader of `leaderEpoch`: where does `epoch` end in its log? */
  endOffsetForEpoch(epoch: number, leaderEpoch: number): Promise<EndOffsetForEpochResponse> {
    const metadata = new Metadata();
    metadata.set(LEADER_EPOCH_METADATA, String(leaderEpoch));
    return new Promise((resolve, reject) => {
      this.stub.EndOffsetForEpoch(
        { epoch },
        metadata,
        { deadline: Date.now() + END_OFFSET_DEADLINE_MS },
        (error, response) => {
          if (error || !response) reject(error ?? new Error('empty EndOffsetForEpoch answer'));
          else resolve(response);
        },
      );
    });
  }

  fetch(): FetchStream {
    return this.stub.Fetch();
  }

  close(): void {
    this.stub.close();
  }
}
