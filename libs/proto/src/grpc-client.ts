import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_LOADER_OPTIONS, resolveProtoPath } from './proto-path';

let cached: grpc.GrpcObject | undefined;

/** The loaded distilled.v1 package, parsed once per process. */
export function loadDistilledPackage(): grpc.GrpcObject {
  if (!cached) {
    const definition = protoLoader.loadSync(resolveProtoPath(), { ...PROTO_LOADER_OPTIONS });
    const root = grpc.loadPackageDefinition(definition);
    cached = (root.distilled as grpc.GrpcObject).v1 as grpc.GrpcObject;
  }
  return cached;
}

/**
 * A plain @grpc/grpc-js client for one service of distilled.v1 at `address` (host:port).
 * Used by replicas to reach each other and by tests and benchmarks; the API uses Nest's
 * ClientGrpc on the same proto.
 */
export function createGrpcClient(
  service: 'Replica' | 'Replication',
  address: string,
  options: grpc.ChannelOptions = {},
): grpc.Client {
  const Ctor = loadDistilledPackage()[service] as grpc.ServiceClientConstructor;
  return new Ctor(address, grpc.credentials.createInsecure(), {
    'grpc.keepalive_time_ms': 10_000,
    'grpc.keepalive_timeout_ms': 5_000,
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    ...options,
  });
}
