/**
 * Whom a leader whose disk is full may hand over to: another ISR member that is registered (its
 * lease lives) and has no disk-full mark. Only such a replica can win the election (the ISR
 * rule) and take writes; if none exists, resigning would leave the cluster without a leader and
 * refuse writes as 503 instead of saying why (507). Pure, so the rule is tested without etcd.
 */
import type { MemberInfo } from '@distilled/cluster';

/** The first such member's id (ISR order), or null when there is none. */
export function handoverTarget(
  selfId: string,
  isr: readonly string[],
  members: ReadonlyMap<string, MemberInfo>,
): string | null {
  for (const id of isr) {
    if (id === selfId) continue;
    const member = members.get(id);
    if (member && member.diskFull !== true) return id;
  }
  return null;
}
