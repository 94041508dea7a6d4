import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { MEMBERSHIP, type Membership } from '@distilled/cluster';
import {
  LOG_STORE,
  REPLICA_METADATA,
  type IncarnationOrigin,
  type LogStore,
  type ReplicaMetadata,
} from '@distilled/log-store';
import { describeError } from '@distilled/common';
import { InjectServerConfig, type ServerConfig } from '../config';
import { DiskFullWatch } from '../disk';
import { AppendStreams } from '../log/append-streams';
import { RangeReadStreams } from '../log/range-read-streams';
import { LogRepair } from '../repair/log-repair.service';
import { ReplicaState } from '../replication/replica-state';
import { RoleService } from '../election/role.service';

/** How the data directory's incarnation came to be, for the start line. */
const INCARNATION_SAYS: Record<IncarnationOrigin, string> = {
  existing: 'incarnation',
  new: 'a new, empty data directory: created incarnation',
  adopted: 'a log from before incarnations: adopted incarnation',
};

/**
 * Start and graceful stop of the replica as a whole. start() runs from main.ts once the gRPC
 * server listens (so nobody is told to dial an address that refuses); the stop runs in
 * onModuleDestroy, which Nest calls for this (root) module before the cluster and log-store
 * modules close etcd and the log, and while the gRPC server still answers.
 */
@Injectable()
export class ReplicaLifecycle implements OnModuleDestroy {
  private readonly logger = new Logger('Replica');
  private started = false;

  constructor(
    @Inject(MEMBERSHIP) private readonly membership: Membership,
    @Inject(LOG_STORE) private readonly log: LogStore,
    @Inject(REPLICA_METADATA) private readonly metadata: ReplicaMetadata,
    @InjectServerConfig() private readonly config: ServerConfig,
    private readonly state: ReplicaState,
    private readonly roles: RoleService,
    private readonly appendStreams: AppendStreams,
    private readonly rangeStreams: RangeReadStreams,
    private readonly repair: LogRepair,
    private readonly diskWatch: DiskFullWatch,
  ) {}

  async start(): Promise<void> {
    const { config, log, metadata } = this;
    const { incarnation } = metadata;
    this.logger.log(
      `replica ${config.nodeId} serving gRPC on ${config.grpcHost}:${config.grpcPort} (advertised as ${config.advertise}); data in ${config.dataDir} (${INCARNATION_SAYS[incarnation.origin]} ${incarnation.id}), log end offset ${log.logEndOffset}, high-watermark checkpoint ${metadata.highWatermarkCheckpoint}, latest epoch ${log.latestEpoch}; cluster "${config.cluster}" on ${config.etcdEndpoints.join(',')}; min in-sync ${config.minInsync}`,
    );
    await this.membership.register({ id: config.nodeId, address: config.advertise });
    this.started = true;
    this.diskWatch.start();
    // Before campaigning: a replica whose log lost committed messages must not stand at all.
    await this.repair.start();
    await this.roles.start({ id: incarnation.id, isNew: incarnation.createdEmpty });
  }

  /**
   * Graceful stop: refuse new appends, let in-flight ones commit (bounded) and resign,
   * deregister so the new leader drops us from the ISR at once, end the streams, close the log.
   */
  async onModuleDestroy(): Promise<void> {
    if (this.state.shuttingDown) return;
    this.state.beganShutdown();
    this.logger.log(`replica ${this.config.nodeId} stopping (role ${this.state.role})`);
    if (!this.started) return;
    this.diskWatch.stop();
    await this.roles
      .stop()
      .catch((error) => this.logger.warn(`stopping roles: ${describeError(error)}`));
    // Nothing of this replica writes the log or etcd's state any more: leave the membership now,
    // not after closing the log, so the new leader drops us from its ISR (its first commit waits
    // for that) while we close.
    await this.membership
      .deregister()
      .catch((error) => this.logger.warn(`deregistering: ${describeError(error)}`));
    // Appends in flight were drained with the leader term: end the clients' streams cleanly.
    this.appendStreams.closeAll();
    // Range reads still held (long-polls) are asked again elsewhere by the API.
    this.rangeStreams.closeAll();
    await this.log
      .close()
      .catch((error) => this.logger.warn(`closing the log: ${describeError(error)}`));
    this.logger.log(
      `replica ${this.config.nodeId} stopped; log closed at offset ${this.log.logEndOffset}`,
    );
  }
}
