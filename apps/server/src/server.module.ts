import { Logger, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ConfigModule } from '@nestjs/config';
import { ClusterModule } from '@distilled/cluster';
import { LogStoreModule } from '@distilled/log-store';
import { serverConfig, type ServerConfig } from './config';
import { ElectionHolds, RoleService } from './election';
import { GrpcExceptionFilter } from './errors';
import { DiskFullWatch } from './disk';
import { ReplicaLifecycle } from './lifecycle';
import {
  AppendStreams,
  FollowStreams,
  RangeReadStreams,
  RangeReads,
  ReplicaController,
  ReplicaService,
} from './log';
import { HighWatermarkCheckpointer, LogRepair } from './repair';
import {
  FollowerService,
  LeaderLogStart,
  LeaderService,
  LogFailures,
  ReplicaState,
  ReplicationController,
} from './replication';

/** One replica of the log: storage, cluster membership/election, and the two gRPC services. */
@Module({
  imports: [
    ConfigModule.forRoot({ ignoreEnvFile: true, load: [serverConfig] }),
    ClusterModule.forRootAsync({
      imports: [ConfigModule.forFeature(serverConfig)],
      inject: [serverConfig.KEY],
      useFactory: (config: ServerConfig) => ({
        endpoints: config.etcdEndpoints,
        cluster: config.cluster,
        leaseTtlSeconds: config.leaseTtlSeconds,
      }),
    }),
    LogStoreModule.registerAsync({
      imports: [ConfigModule.forFeature(serverConfig)],
      inject: [serverConfig.KEY],
      useFactory: (config: ServerConfig) => ({
        dir: config.dataDir,
        fsync: config.fsync,
        segmentBytes: config.segmentBytes,
        // What recovery cut or rebuilt, and checkpoint write failures, belong in the replica's log.
        logger: new Logger('LogStore'),
      }),
    }),
  ],
  controllers: [ReplicaController, ReplicationController],
  providers: [
    { provide: APP_FILTER, useClass: GrpcExceptionFilter },
    ReplicaState,
    LogFailures,
    LeaderService,
    FollowerService,
    ReplicaService,
    AppendStreams,
    RangeReadStreams,
    RangeReads,
    FollowStreams,
    RoleService,
    ElectionHolds,
    LogRepair,
    HighWatermarkCheckpointer,
    LeaderLogStart,
    ReplicaLifecycle,
    DiskFullWatch,
  ],
})
export class ServerModule {}
