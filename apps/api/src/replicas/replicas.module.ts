import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ClusterModule } from '@distilled/cluster';
import { GrpcSecurity } from '@distilled/proto';
import { apiConfig, type ApiConfig } from '../config';
import { GrpcReplicaGateway } from './grpc-replica-gateway';
import { REPLICA_GATEWAY } from './replica-gateway';

/**
 * Where the replicas are and how to call them: libs/cluster's watches (read only) and the gRPC
 * client pool behind REPLICA_GATEWAY. Specs replace this whole module with a fake gateway
 * (`overrideModule(ReplicasModule)`), so they need neither etcd nor replicas.
 */
@Module({
  imports: [
    ClusterModule.forRootAsync({
      imports: [ConfigModule.forFeature(apiConfig)],
      inject: [apiConfig.KEY],
      useFactory: (config: ApiConfig) => ({
        endpoints: config.etcdEndpoints,
        cluster: config.cluster,
      }),
    }),
  ],
  providers: [
    {
      provide: GrpcSecurity,
      inject: [apiConfig.KEY],
      useFactory: (config: ApiConfig) => GrpcSecurity.from(config.grpcTls),
    },
    GrpcReplicaGateway,
    { provide: REPLICA_GATEWAY, useExisting: GrpcReplicaGateway },
  ],
  exports: [REPLICA_GATEWAY],
})
export class ReplicasModule {}
