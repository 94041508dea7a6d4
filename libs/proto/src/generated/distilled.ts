import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AppendAnswer__Input as _distilled_v1_AppendAnswer__Input, AppendAnswer as _distilled_v1_AppendAnswer } from './distilled/v1/AppendAnswer';
import type { AppendPart__Input as _distilled_v1_AppendPart__Input, AppendPart as _distilled_v1_AppendPart } from './distilled/v1/AppendPart';
import type { AppendRequest__Input as _distilled_v1_AppendRequest__Input, AppendRequest as _distilled_v1_AppendRequest } from './distilled/v1/AppendRequest';
import type { AppendResponse__Input as _distilled_v1_AppendResponse__Input, AppendResponse as _distilled_v1_AppendResponse } from './distilled/v1/AppendResponse';
import type { AppendStreamRequest__Input as _distilled_v1_AppendStreamRequest__Input, AppendStreamRequest as _distilled_v1_AppendStreamRequest } from './distilled/v1/AppendStreamRequest';
import type { AppendStreamResponse__Input as _distilled_v1_AppendStreamResponse__Input, AppendStreamResponse as _distilled_v1_AppendStreamResponse } from './distilled/v1/AppendStreamResponse';
import type { CallStatus__Input as _distilled_v1_CallStatus__Input, CallStatus as _distilled_v1_CallStatus } from './distilled/v1/CallStatus';
import type { EndOffsetForEpochRequest__Input as _distilled_v1_EndOffsetForEpochRequest__Input, EndOffsetForEpochRequest as _distilled_v1_EndOffsetForEpochRequest } from './distilled/v1/EndOffsetForEpochRequest';
import type { EndOffsetForEpochResponse__Input as _distilled_v1_EndOffsetForEpochResponse__Input, EndOffsetForEpochResponse as _distilled_v1_EndOffsetForEpochResponse } from './distilled/v1/EndOffsetForEpochResponse';
import type { FetchRequest__Input as _distilled_v1_FetchRequest__Input, FetchRequest as _distilled_v1_FetchRequest } from './distilled/v1/FetchRequest';
import type { FetchResponse__Input as _distilled_v1_FetchResponse__Input, FetchResponse as _distilled_v1_FetchResponse } from './distilled/v1/FetchResponse';
import type { FollowRequest__Input as _distilled_v1_FollowRequest__Input, FollowRequest as _distilled_v1_FollowRequest } from './distilled/v1/FollowRequest';
import type { FollowResponse__Input as _distilled_v1_FollowResponse__Input, FollowResponse as _distilled_v1_FollowResponse } from './distilled/v1/FollowResponse';
import type { ReadBatchRequest__Input as _distilled_v1_ReadBatchRequest__Input, ReadBatchRequest as _distilled_v1_ReadBatchRequest } from './distilled/v1/ReadBatchRequest';
import type { ReadBatchResponse__Input as _distilled_v1_ReadBatchResponse__Input, ReadBatchResponse as _distilled_v1_ReadBatchResponse } from './distilled/v1/ReadBatchResponse';
import type { ReadRangeRequest__Input as _distilled_v1_ReadRangeRequest__Input, ReadRangeRequest as _distilled_v1_ReadRangeRequest } from './distilled/v1/ReadRangeRequest';
import type { ReadRangeResponse__Input as _distilled_v1_ReadRangeResponse__Input, ReadRangeResponse as _distilled_v1_ReadRangeResponse } from './distilled/v1/ReadRangeResponse';
import type { ReadRangeStreamRequest__Input as _distilled_v1_ReadRangeStreamRequest__Input, ReadRangeStreamRequest as _distilled_v1_ReadRangeStreamRequest } from './distilled/v1/ReadRangeStreamRequest';
import type { ReadRangeStreamResponse__Input as _distilled_v1_ReadRangeStreamResponse__Input, ReadRangeStreamResponse as _distilled_v1_ReadRangeStreamResponse } from './distilled/v1/ReadRangeStreamResponse';
import type { ReadRequest__Input as _distilled_v1_ReadRequest__Input, ReadRequest as _distilled_v1_ReadRequest } from './distilled/v1/ReadRequest';
import type { ReadResponse__Input as _distilled_v1_ReadResponse__Input, ReadResponse as _distilled_v1_ReadResponse } from './distilled/v1/ReadResponse';
import type { ReplicaClient as _distilled_v1_ReplicaClient, ReplicaDefinition as _distilled_v1_ReplicaDefinition } from './distilled/v1/Replica';
import type { ReplicationClient as _distilled_v1_ReplicationClient, ReplicationDefinition as _distilled_v1_ReplicationDefinition } from './distilled/v1/Replication';
import type { StatusRequest__Input as _distilled_v1_StatusRequest__Input, StatusRequest as _distilled_v1_StatusRequest } from './distilled/v1/StatusRequest';
import type { StatusResponse__Input as _distilled_v1_StatusResponse__Input, StatusResponse as _distilled_v1_StatusResponse } from './distilled/v1/StatusResponse';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  distilled: {
    v1: {
      AppendAnswer: MessageTypeDefinition<_distilled_v1_AppendAnswer__Input, _distilled_v1_AppendAnswer>
      AppendPart: MessageTypeDefinition<_distilled_v1_AppendPart__Input, _distilled_v1_AppendPart>
      AppendRequest: MessageTypeDefinition<_distilled_v1_AppendRequest__Input, _distilled_v1_AppendRequest>
      AppendResponse: MessageTypeDefinition<_distilled_v1_AppendResponse__Input, _distilled_v1_AppendResponse>
      AppendStreamRequest: MessageTypeDefinition<_distilled_v1_AppendStreamRequest__Input, _distilled_v1_AppendStreamRequest>
      AppendStreamResponse: MessageTypeDefinition<_distilled_v1_AppendStreamResponse__Input, _distilled_v1_AppendStreamResponse>
      CallStatus: MessageTypeDefinition<_distilled_v1_CallStatus__Input, _distilled_v1_CallStatus>
      EndOffsetForEpochRequest: MessageTypeDefinition<_distilled_v1_EndOffsetForEpochRequest__Input, _distilled_v1_EndOffsetForEpochRequest>
      EndOffsetForEpochResponse: MessageTypeDefinition<_distilled_v1_EndOffsetForEpochResponse__Input, _distilled_v1_EndOffsetForEpochResponse>
      FetchRequest: MessageTypeDefinition<_distilled_v1_FetchRequest__Input, _distilled_v1_FetchRequest>
      FetchResponse: MessageTypeDefinition<_distilled_v1_FetchResponse__Input, _distilled_v1_FetchResponse>
      FollowRequest: MessageTypeDefinition<_distilled_v1_FollowRequest__Input, _distilled_v1_FollowRequest>
      FollowResponse: MessageTypeDefinition<_distilled_v1_FollowResponse__Input, _distilled_v1_FollowResponse>
      ReadBatchRequest: MessageTypeDefinition<_distilled_v1_ReadBatchRequest__Input, _distilled_v1_ReadBatchRequest>
      ReadBatchResponse: MessageTypeDefinition<_distilled_v1_ReadBatchResponse__Input, _distilled_v1_ReadBatchResponse>
      ReadRangeRequest: MessageTypeDefinition<_distilled_v1_ReadRangeRequest__Input, _distilled_v1_ReadRangeRequest>
      ReadRangeResponse: MessageTypeDefinition<_distilled_v1_ReadRangeResponse__Input, _distilled_v1_ReadRangeResponse>
      ReadRangeStreamRequest: MessageTypeDefinition<_distilled_v1_ReadRangeStreamRequest__Input, _distilled_v1_ReadRangeStreamRequest>
      ReadRangeStreamResponse: MessageTypeDefinition<_distilled_v1_ReadRangeStreamResponse__Input, _distilled_v1_ReadRangeStreamResponse>
      ReadRequest: MessageTypeDefinition<_distilled_v1_ReadRequest__Input, _distilled_v1_ReadRequest>
      ReadResponse: MessageTypeDefinition<_distilled_v1_ReadResponse__Input, _distilled_v1_ReadResponse>
      /**
       * Calls that clients (the HTTP API, benchmarks, tests) make on any replica.
       */
      Replica: SubtypeConstructor<typeof grpc.Client, _distilled_v1_ReplicaClient> & { service: _distilled_v1_ReplicaDefinition }
      /**
       * Calls between replicas.
       */
      Replication: SubtypeConstructor<typeof grpc.Client, _distilled_v1_ReplicationClient> & { service: _distilled_v1_ReplicationDefinition }
      StatusRequest: MessageTypeDefinition<_distilled_v1_StatusRequest__Input, _distilled_v1_StatusRequest>
      StatusResponse: MessageTypeDefinition<_distilled_v1_StatusResponse__Input, _distilled_v1_StatusResponse>
    }
  }
}

