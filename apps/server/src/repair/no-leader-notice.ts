import type { Logger } from '@nestjs/common';
import type { ReplicaState } from '../replication/replica-state';

/** While damaged, how often to look whether there is a leader to fetch from. */
const LEADER_CHECK_MS = 500;

/**
 * Says once per damage (or catch-up) that the replica can only wait: with no leader to fetch
 * from (none elected, or the one etcd names is not registered, e.g. after the whole cluster went
 * down) nothing repairs it. `line` gives what to say, or undefined once there is nothing to wait
 * for.
 */
export class NoLeaderNotice {
  private timer?: NodeJS.Timeout;
  private said = false;

  constructor(
    private readonly state: ReplicaState,
    private readonly nodeId: string,
    private readonly logger: Logger,
    private readonly line: () => string | undefined,
  ) {}

  /** Starts looking for a leader to fetch from (again, for new damage: `fresh`). */
  watch(fresh = false): void {
    if (this.timer && !fresh) return;
    this.said = false;
    clearInterval(this.timer);
    this.timer = setInterval(() => this.sayIfNoLeader(), LEADER_CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private sayIfNoLeader(): void {
    if (this.said || this.state.role === 'starting') return;
    const { leaderId, leaderAddress } = this.state;
    if (leaderId && leaderId !== this.nodeId && leaderAddress) return;
    const line = this.line();
    if (line === undefined) return;
    this.said = true;
    this.logger.warn(line);
  }
}
