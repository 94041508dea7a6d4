/**
 * The etcd key layout of one cluster. Everything lives under `/<cluster>/` so several clusters
 * can share one etcd and a prefix delete wipes one cleanly:
 *
 *   /<cluster>/members/<id>              JSON MemberInfo, on the member's kept-alive lease
 *   /<cluster>/election/leader/<lease>   etcd3 Election candidates (value: candidate id); the
 *                                        oldest key (lowest create revision) is the winner
 *   /<cluster>/state                     JSON ClusterState, written only by fenced transactions
 */
export class ClusterKeys {
  /** Namespace prefix handed to `Etcd3.namespace()` for the election. */
  readonly root: string;
  readonly membersPrefix: string;
  readonly state: string;
  /** Election name inside the namespace: etcd3 stores candidates under `election/<name>/`. */
  readonly electionName = 'leader';
  /** Full prefix of the election candidates' keys (etcd3: `<namespace>election/<name>/`). */
  readonly electionPrefix: string;

  constructor(readonly cluster: string) {
    if (!cluster || cluster.includes('/')) {
      throw new Error(`cluster name must be non-empty and contain no "/": got "${cluster}"`);
    }
    this.root = `/${cluster}/`;
    this.membersPrefix = `${this.root}members/`;
    this.state = `${this.root}state`;
    this.electionPrefix = `${this.root}election/${this.electionName}/`;
  }

  member(id: string): string {
    return `${this.membersPrefix}${id}`;
  }

  /** The member id of a key under membersPrefix, or undefined for any other key. */
  memberId(key: string): string | undefined {
    return key.startsWith(this.membersPrefix) ? key.slice(this.membersPrefix.length) : undefined;
  }
}
