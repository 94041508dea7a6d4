import { Inject, Injectable } from '@nestjs/common';
import type { StatusResponse } from '@distilled/proto';
import { STATUS_CALL_TIMEOUT_MS } from '../constants';
import { REPLICA_GATEWAY, type ReplicaGateway } from '../replicas/replica-gateway';
import type { ClusterNodeDto, ClusterViewDto, NodeRole } from './dto/cluster-view.dto';

/** GET /Cluster: etcd's view (leader, epoch, ISR) joined with each replica's own Status. */
@Injectable()
export class ClusterService {
  constructor(@Inject(REPLICA_GATEWAY) private readonly gateway: ReplicaGateway) {}

  async view(): Promise<ClusterViewDto> {
    const state = this.gateway.clusterState();
    const replicas = this.gateway.replicas();
    const deadline = Date.now() + STATUS_CALL_TIMEOUT_MS;
    const statuses = await Promise.all(
      replicas.map((replica) =>
        this.gateway.status(replica, deadline).then(
          (status): StatusResponse | null => status,
          () => null,
        ),
      ),
    );
    const isr = new Set(state?.isr ?? []);
    const nodes: ClusterNodeDto[] = replicas.map((replica, index) => {
      const status = statuses[index];
      const node: ClusterNodeDto = {
        id: replica.id,
        address: replica.address,
        role: status ? toRole(status.role) : 'unreachable',
        inSync: state ? isr.has(replica.id) : (status?.in_sync ?? false),
        logEndOffset: status?.log_end_offset ?? null,
        highWatermark: status?.high_watermark ?? null,
        logStartOffset: status?.log_start_offset ?? null,
      };
      if (status?.problem) node.problem = status.problem;
      if (status?.disk_full) node.diskFull = true;
      return node;
    });
    const registered = new Set(replicas.map((replica) => replica.id));
    for (const id of isr) {
      if (registered.has(id)) continue;
      nodes.push({
        id,
        address: null,
        role: 'unregistered',
        inSync: true,
        logEndOffset: null,
        highWatermark: null,
        logStartOffset: null,
      });
    }
    nodes.sort((a, b) => a.id.localeCompare(b.id));
    return { leader: state?.leader ?? null, epoch: state?.epoch ?? 0, nodes };
  }
}

function toRole(role: string): NodeRole {
  return role === 'leader' || role === 'follower' ? role : 'starting';
}
