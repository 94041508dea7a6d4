import { describeError } from '@distilled/common';
import type { Etcd3 } from 'etcd3';
import type { ClusterState, Leadership, VersionedClusterState } from './cluster.interface';
import { encodeClusterState } from './cluster-state';

/**
 * A leadership's fenced handle on the state. Writes are serialized: each one compares against
 * the mod revision the previous one produced. Any failed or unconfirmed write ends the
 * leadership, because after it we can no longer prove nobody else leads.
 */
export class FencedLeadership implements Leadership {
  readonly epoch: number;
  readonly leaderId: string;
  isr: string[];
  incarnations: Readonly<Record<string, string>>;
  private active = true;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: Etcd3,
    private readonly stateKey: string,
    private readonly electionKey: string,
    private readonly electionCreateRevision: string,
    state: ClusterState,
    /** Mod revision of the state as this leadership last wrote it. */
    public modRevision: string,
    private readonly onFenceFailed: (reason: string) => void,
  ) {
    this.epoch = state.epoch;
    this.leaderId = state.leader!;
    this.isr = [...state.isr];
    this.incarnations = onlyMembers(state.incarnations ?? {}, this.isr);
  }

  get isActive(): boolean {
    return this.active;
  }

  end(): void {
    this.active = false;
  }

  /**
   * Why a state seen by the watch means this leadership is over (another epoch or leader wrote
   * after our last write, or the state was deleted), or undefined while it still stands.
   */
  supersededBy(state: VersionedClusterState | null): string | undefined {
    if (!state) return 'the cluster state was deleted from etcd: stepping down';
    if (BigInt(state.modRevision) <= BigInt(this.modRevision)) return undefined;
    if (state.state.epoch === this.epoch && state.state.leader === this.leaderId) return undefined;
    return `the cluster state moved on to epoch ${state.state.epoch} led by ${state.state.leader ?? 'nobody'}: stepping down`;
  }

  updateIsr(isr: string[], incarnations?: Readonly<Record<string, string>>): Promise<boolean> {
    const unique = [...new Set(isr)];
    return this.enqueue(() => {
      if (!unique.includes(this.leaderId)) {
        throw new Error(
          `the ISR must contain the leader ${this.leaderId}: got [${unique.join(', ')}]`,
        );
      }
      return this.write({
        epoch: this.epoch,
        leader: this.leaderId,
        isr: unique,
        incarnations: onlyMembers(incarnations ?? this.incarnations, unique),
      });
    });
  }

  /** Graceful stop: the same epoch and ISR with no leader, fenced like every other write. */
  clearLeader(): Promise<boolean> {
    return this.enqueue(() =>
      this.write({
        epoch: this.epoch,
        leader: null,
        isr: this.isr,
        incarnations: this.incarnations,
      }),
    );
  }

  private enqueue(op: () => Promise<boolean>): Promise<boolean> {
    const result = this.queue.then(op);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async write(next: ClusterState): Promise<boolean> {
    if (!this.active) return false;
    let res;
    try {
      res = await this.client
        .if(this.electionKey, 'Create', '==', this.electionCreateRevision)
        .and(this.stateKey, 'Mod', '==', this.modRevision)
        .then(this.client.put(this.stateKey).value(encodeClusterState(next)))
        .commit();
    } catch (err) {
      this.fail(`could not confirm an ISR update in etcd (${describeError(err)}): stepping down`);
      return false;
    }
    if (!res.succeeded) {
      this.fail(
        'an ISR update was fenced off (our election key is gone or the state changed): stepping down',
      );
      return false;
    }
    this.modRevision = res.header.revision;
    this.isr = next.isr;
    this.incarnations = next.incarnations ?? {};
    return true;
  }

  private fail(reason: string): void {
    if (!this.active) return;
    this.active = false;
    this.onFenceFailed(reason);
  }
}

function onlyMembers(
  incarnations: Readonly<Record<string, string>>,
  isr: readonly string[],
): Record<string, string> {
  return Object.fromEntries(Object.entries(incarnations).filter(([id]) => isr.includes(id)));
}
