// Loads distilled.proto once and makes typed grpc-js stubs from it: the one place that turns the
// run-time service constructors into the generated client types.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from './generated/distilled';
import type { ReplicaClient as ReplicaStub } from './generated/distilled/v1/Replica';
import type { ReplicationClient as ReplicationStub } from './generated/distilled/v1/Replication';
import { CLIENT_CHANNEL_OPTIONS } from './channel-options';
import { GrpcSecurity } from './grpc-security';
import { PROTO_LOADER_OPTIONS, resolveProtoPath } from './proto-path';

export type { ReplicaStub, ReplicationStub };

/** distilled.v1 as grpc.loadPackageDefinition builds it, typed by the generated code. */
export type DistilledPackage = ProtoGrpcType['distilled']['v1'];

let cached: DistilledPackage | undefined;

/** The loaded distilled.v1 package, parsed once per process. */
export function loadDistilledPackage(): DistilledPackage {
  if (!cached) {
    const definition = protoLoader.loadSync(resolveProtoPath(), { ...PROTO_LOADER_OPTIONS });
    // loadPackageDefinition is untyped; ProtoGrpcType is generated from the same .proto.
    const root = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
    cached = root.distilled.v1;
  }
  return cached;
}

/**
 * A grpc-js Replica stub for `address` (host:port); prefer ReplicaClient, which wraps one.
 * `security` is the process's one GrpcSecurity (plaintext when omitted).
 */
export function createReplicaStub(
  address: string,
  options: grpc.ChannelOptions = {},
  security: GrpcSecurity = GrpcSecurity.insecure(),
): ReplicaStub {
  return new (loadDistilledPackage().Replica)(address, security.channelCredentials, {
    ...CLIENT_CHANNEL_OPTIONS,
    ...security.channelOptions,
    ...options,
  });
}

/** A grpc-js Replication stub for `address` (replica to replica); see ReplicationClient. */
export function createReplicationStub(
  address: string,
  options: grpc.ChannelOptions = {},
  security: GrpcSecurity = GrpcSecurity.insecure(),
): ReplicationStub {
  return new (loadDistilledPackage().Replication)(address, security.channelCredentials, {
    ...CLIENT_CHANNEL_OPTIONS,
    ...security.channelOptions,
    ...options,
  });
}
