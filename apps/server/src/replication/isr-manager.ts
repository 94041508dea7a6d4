import type { Leadership } from '@distilled/cluster';

/**
 * The leader's in-sync replica set. Changes go through the leadership's fenced write, one at a
 * time: the set used for the high watermark changes only once etcd holds it, so the HW never moves
 * on without a follower that is still in the ISR there (apps/server README, "What it guarantees").
 */
export class IsrManager {
  private members: readonly string[];
  /** The data-directory incarnation recorded for each member (none for pre-incarnation entries). */
  private incarnations: Readonly<Record<string, string>>;
  private changing = false;

  constructor(
    private readonly leadership: Leadership,
    /** Called when a fenced write fails: this replica is no longer the leader. */
    private readonly onFenced: (why: string) => void,
  ) {
    this.members = [...leadership.isr];
    this.incarnations = { ...leadership.incarnations };
  }

  get isr(): readonly string[] {
    return this.members;
  }

  /** The incarnation the ISR recorded for `id`, or undefined (not a member, or recorded before incarnations). */
  incarnationOf(id: string): string | undefined {
    return this.members.includes(id) && Object.hasOwn(this.incarnations, id)
      ? this.incarnations[id]
      : undefined;
  }

  /** True while a change is being written; callers try again on their next check. */
  get busy(): boolean {
    return this.changing;
  }

  has(id: string): boolean {
    return this.members.includes(id);
  }

  /**
   * Writes `next` as the ISR, with `recorded` (member id -> incarnation) on top of the
   * incarnations already recorded for members that stay. Resolves true once etcd holds it; false
   * when another change is in flight, etcd failed (tried again later), or the fence failed
   * (leadership lost: onFenced).
   */
  async change(
    next: readonly string[],
    recorded: Readonly<Record<string, string>> = {},
  ): Promise<boolean> {
    if (this.changing) return false;
    this.changing = true;
    try {
      const incarnations = Object.fromEntries(
        Object.entries({ ...this.incarnations, ...recorded }).filter(([id]) => next.includes(id)),
      );
      const applied = await this.leadership.updateIsr([...next], incarnations);
      if (!applied) {
        this.onFenced('a fenced ISR write was refused: another replica changed the state');
        return false;
      }
      this.members = [...next];
      this.incarnations = incarnations;
      return true;
    } finally {
      this.changing = false;
    }
  }
}
