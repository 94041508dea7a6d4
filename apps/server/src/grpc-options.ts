import { Transport, type GrpcOptions } from '@nestjs/microservices';
import {
  GRPC_MAX_MESSAGE_BYTES,
  GrpcSecurity,
  PROTO_LOADER_OPTIONS,
  PROTO_PACKAGE,
  resolveProtoPath,
} from '@distilled/proto';

/**
 * The replica's gRPC transport (STYLE.md: one shared constant for main.ts and tests). With TLS,
 * `security`'s server credentials require a client certificate signed by the CA.
 */
export function replicaGrpcOptions(
  url: string,
  security: GrpcSecurity = GrpcSecurity.insecure(),
): GrpcOptions {
  return {
    transport: Transport.GRPC,
    options: {
      credentials: security.serverCredentials(),
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
