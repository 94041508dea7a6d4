import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type {
  AppendRequest,
  AppendResponse,
  ReadBatchRequest,
  ReadBatchResponse,
  ReadRequest,
  ReadResponse,
  StatusResponse,
} from '@distilled/proto';
import { ReplicaService } from './replica.service';

/** distilled.v1.Replica: thin; the rules live in ReplicaService. */
@Controller()
export class ReplicaController {
  constructor(private readonly replica: ReplicaService) {}

  @GrpcMethod('Replica', 'Append')
  append(request: AppendRequest): Promise<AppendResponse> {
    return this.replica.append(request);
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
