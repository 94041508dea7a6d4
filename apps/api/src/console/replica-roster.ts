import type { ClusterNodeDto } from '../cluster/dto/cluster-view.dto';
import { DEPARTED_FORGET_MS } from './console.constants';
import type { ConsoleReplica } from '@distilled/console-frames';

/**
 * /Cluster lists only registered replicas and ISR members, so a replica that stopped and was
 * dropped from the ISR vanishes from it. The roster keeps it visible as `departed` (with the
 * time it was last seen) for a while, so the page can say it left instead of silently losing
 * a bar.
 */
export class ReplicaRoster {
  private readonly lastSeen = new Map<string, { at: number; address: string | null }>();

  /** The nodes of one /Cluster view, plus the recently departed; sorted by id. */
  merge(nodes: ClusterNodeDto[], now: number): ConsoleReplica[] {
    const replicas: ConsoleReplica[] = nodes.map((node) => {
      this.lastSeen.set(node.id, { at: now, address: node.address });
      const replica: ConsoleReplica = {
        id: node.id,
        address: node.address,
        role: node.role,
        inSync: node.inSync,
        logStartOffset: logStartOf(node),
        logEndOffset: node.logEndOffset,
        highWatermark: node.highWatermark,
      };
      if (node.problem) replica.problem = node.problem;
      return replica;
    });
    const present = new Set(nodes.map((node) => node.id));
    for (const [id, seen] of this.lastSeen) {
      if (present.has(id)) continue;
      if (now - seen.at > DEPARTED_FORGET_MS) {
        this.lastSeen.delete(id);
        continue;
      }
      replicas.push({
        id,
        address: seen.address,
        role: 'departed',
        inSync: false,
        logStartOffset: 0,
        logEndOffset: null,
        highWatermark: null,
      });
    }
    return replicas.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** When a departed replica was last registered or in the ISR. */
  lastSeenAt(id: string): number | undefined {
    return this.lastSeen.get(id)?.at;
  }
}

/** /Cluster gains logStartOffset with retention; until then every log starts at 0. */
function logStartOf(node: ClusterNodeDto): number {
  const start = (node as { logStartOffset?: unknown }).logStartOffset;
  return typeof start === 'number' ? start : 0;
}
