import { Controller } from '@nestjs/common';
import { GrpcMethod, GrpcStreamCall } from '@nestjs/microservices';
import type {
  AppendRequest,
  AppendResponse,
  ReadBatchRequest,
  ReadBatchResponse,
  ReadRequest,
  ReadResponse,
  StatusResponse,
} from '@distilled/proto';
import { AppendStreams, type AppendStreamCall } from './append-streams';
import { ReplicaService } from './replica.service';

/** distilled.v1.Replica: thin; the rules live in ReplicaService. */
@Controller()
export class ReplicaController {
  constructor(
    private readonly replica: ReplicaService,
    private readonly appendStreams: AppendStreams,
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

  @GrpcMethod('Replica', 'Status')
  status(): StatusResponse {
    return this.replica.status();
  }
}
