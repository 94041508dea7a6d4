import { Controller } from '@nestjs/common';
import { GrpcMethod, GrpcStreamCall } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import type { EndOffsetForEpochRequest, EndOffsetForEpochResponse } from '@distilled/proto';
import type { FetchCall } from './fetch-session';
import { LeaderService } from './leader.service';

/** distilled.v1.Replication: the calls followers make on the leader. */
@Controller()
export class ReplicationController {
  constructor(private readonly leader: LeaderService) {}

  /** The raw duplex call: the session answers one response per request, at its own pace. */
  @GrpcStreamCall('Replication', 'Fetch')
  fetch(call: FetchCall): void {
    this.leader.openFetch(call);
  }

  @GrpcMethod('Replication', 'EndOffsetForEpoch')
  endOffsetForEpoch(
    request: EndOffsetForEpochRequest,
    metadata: Metadata,
  ): EndOffsetForEpochResponse {
    return this.leader.endOffsetForEpoch(request.epoch, metadata);
  }
}
