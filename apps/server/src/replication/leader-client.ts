// A follower's connection to its leader, with the leader-epoch fencing header every
// Replication call carries; the typed client itself is libs/proto's ReplicationClient.
import { Metadata } from '@grpc/grpc-js';
import {
  ReplicationClient,
  type GrpcSecurity,
  type EndOffsetForEpochResponse,
  type FetchStream,
} from '@distilled/proto';
import { END_OFFSET_DEADLINE_MS, LEADER_EPOCH_METADATA } from '../constants';

export type { FetchStream };

/**
 * A follower's connection to one leader address: one channel, reused across reconnects of the
 * fetch stream, closed when the leader changes (STYLE.md rule 5).
 */
export class LeaderClient {
  private readonly client: ReplicationClient;

  constructor(
    readonly address: string,
    security: GrpcSecurity,
  ) {
    this.client = new ReplicationClient(address, security);
  }

  /** KIP-101 question to the leader of `leaderEpoch`: where does `epoch` end in its log? */
  endOffsetForEpoch(epoch: number, leaderEpoch: number): Promise<EndOffsetForEpochResponse> {
    const metadata = new Metadata();
    metadata.set(LEADER_EPOCH_METADATA, String(leaderEpoch));
    return this.client.endOffsetForEpoch(epoch, Date.now() + END_OFFSET_DEADLINE_MS, metadata);
  }

  fetch(): FetchStream {
    return this.client.fetch();
  }

  close(): void {
    this.client.close();
  }
}
