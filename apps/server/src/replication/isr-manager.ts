import type { Leadership } from '@distilled/cluster';

/**
 * The leader's in-sync replica set. Changes go through the leadership's fenced write, one at
 * a time: the set used for the high watermark changes only once etcd holds it, so the HW
 * never moves on without a follower that is still in the ISR there (DESIGN.md B.3).
 */
export class IsrManager {
  private members: readonly string[];
  private changing = false;

  constructor(
    private readonly leadership: Leadership,
    /** Called when a fenced write fails: this replica is no longer the leader. */
    private readonly onFenced: (why: string) => void,
  ) {
    this.members = [...leadership.isr];
  }

  get isr(): readonly string[] {
    return this.members;
  }

  /** True while a change is being written; callers try again on their next check. */
  get busy(): boolean {
    return this.changing;
  }

  has(id: string): boolean {
    return this.members.includes(id);
  }

  /**
   * Writes `next` as the ISR. Resolves true once etcd holds it; false when another change is
   * in flight, etcd failed (tried again later), or the fence failed (leadership lost: onFenced).
   */
  async change(next: readonly string[]): Promise<boolean> {
    if (this.changing) return false;
    this.changing = true;
    try {
      const applied = await this.leadership.updateIsr([...next]);
      if (!applied) {
        this.onFenced('a fenced ISR write was refused: another replica changed the state');
        return false;
      }
      this.members = [...next];
      return true;
    } finally {
      this.changing = false;
    }
  }
}
