import { Controller } from '@nestjs/common';
import { GrpcMethod, GrpcStreamCall } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import type { Observable } from 'rxjs';
import type {
  AppendRequest,
  FollowRequest,
  ReadRangeRequest,
  ReadRangeResponse,
  AppendResponse,
  ReadBatchRequest,
  ReadBatchResponse,
  ReadRequest,
  ReadResponse,
  StatusResponse,
} from '@distilled/proto';
import { AppendStreams, type AppendStreamCall } from './append-streams';
import { FollowStreams, type FollowCall } from './follow-streams';
import { RangeReadStreams, type RangeStreamCall } from './range-read-streams';
import { RangeReads } from './range-reads.service';
import { ReplicaService } from './replica.service';

/** distilled.v1.Replica: thin; the rules live in ReplicaService. */
@Controller()
export class ReplicaController {
  constructor(
    private readonly replica: ReplicaService,
    private readonly appendStreams: AppendStreams,
    private readonly ranges: RangeReads,
    private readonly rangeStreams: RangeReadStreams,
    private readonly followStreams: FollowStreams,
  ) {}

  @GrpcMethod('Replica', 'Append')
  append(request: AppendRequest): Promise<AppendResponse> {
    return this.replica.append(request);
  }

  /** The raw duplex call: answers go out as each append settles, tagged with its request id. */
  @GrpcStreamCall('Replica', 'AppendStream')
  appendStream(call: AppendStreamCall): void {
    this.appendStreams.serve(call);
  }

  @GrpcMethod('Replica', 'Read')
  read(request: ReadRequest): Promise<ReadResponse> {
    return this.replica.read(request.offset);
  }

  @GrpcMethod('Replica', 'ReadBatch')
  readBatch(request: ReadBatchRequest): Promise<ReadBatchResponse> {
    return this.replica.readBatch(request.offsets ?? []);
  }

  @GrpcMethod('Replica', 'ReadRange')
  readRange(request: ReadRangeRequest): Promise<ReadRangeResponse> {
    return this.ranges.readRange(request);
  }

  /** The raw duplex call: each ReadRange request is answered as it settles, with its id. */
  @GrpcStreamCall('Replica', 'ReadRangeStream')
  readRangeStream(call: RangeStreamCall): void {
    this.rangeStreams.serve(call);
  }

  /** Server stream: the loop writes to the call itself, to see its flow control. */
  @GrpcMethod('Replica', 'Follow')
  follow(request: FollowRequest, _metadata: Metadata, call: FollowCall): Observable<never> {
    return this.followStreams.serve(request, call);
  }

  @GrpcMethod('Replica', 'Status')
  status(): StatusResponse {
    return this.replica.status();
  }
}
