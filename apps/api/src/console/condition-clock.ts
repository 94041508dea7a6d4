/**
 * Remembers since when each ongoing condition (a replica out of sync, no leader...) has held,
 * so problems can say "since 07:31:12". A condition already present at the first observation
 * after a gap is dated "at least" since then: the API did not see it begin.
 */
export interface ConditionAge {
  since: number;
  /** True when it was already there when observation started. */
  atLeast: boolean;
}

export class ConditionClock {
  private readonly ages = new Map<string, ConditionAge>();
  private observing = false;

  /** The ages of `keys` now; conditions no longer present are forgotten. */
  observe(keys: Iterable<string>, now: number): Map<string, ConditionAge> {
    const current = new Map<string, ConditionAge>();
    for (const key of keys) {
      current.set(key, this.ages.get(key) ?? { since: now, atLeast: !this.observing });
    }
    this.ages.clear();
    for (const [key, age] of current) this.ages.set(key, age);
    this.observing = true;
    return current;
  }

  /** Observation stopped (nobody watching): what happens until the next observe is unseen. */
  pause(): void {
    this.observing = false;
    this.ages.clear();
  }
}
