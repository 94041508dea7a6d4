import { Transport, type GrpcOptions } from '@nestjs/microservices';
import {
  GRPC_MAX_MESSAGE_BYTES,
  PROTO_LOADER_OPTIONS,
  PROTO_PACKAGE,
  resolveProtoPath,
} from '@distilled/proto';

/** The replica's gRPC transport (STYLE.md: one shared constant for main.ts and tests). */
export function replicaGrpcOptions(url: string): GrpcOptions {
  return {
    transport: Transport.GRPC,
    options: {
      package: PROTO_PACKAGE,
      protoPath: resolveProtoPath(),
      url,
      loader: { ...PROTO_LOADER_OPTIONS },
      maxSendMessageLength: GRPC_MAX_MESSAGE_BYTES,
      maxReceiveMessageLength: GRPC_MAX_MESSAGE_BYTES,
      channelOptions: {
        // Followers keep one long-lived Fetch stream; let their keepalive pings through.
        'grpc.keepalive_permit_without_calls': 1,
        'grpc.http2.min_ping_interval_without_data_ms': 5_000,
      },
    },
  };
}
