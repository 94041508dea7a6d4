import { setTimeout as sleep } from 'node:timers/promises';
import {
  Inject,
  Injectable,
  type OnModuleDestroy,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import { describeError, RetryBackoff } from '@distilled/common';
import type { Etcd3, IKeyValue, Lease } from 'etcd3';
import { BehaviorSubject, type Observable, defer, filter } from 'rxjs';
import {
  CLUSTER_OPTIONS,
  type ClusterOptions,
  type MemberInfo,
  type Membership,
} from './cluster.interface';
import { ETCD_CLIENT } from './etcd.provider';
import { ClusterKeys } from './keys';
import { CLUSTER_LOGGER, type ClusterLogger, clusterLogger } from './logger';
import { WatchedRange } from './watched-range';

/** See apps/server/src/constants.ts: etcd honours 1 s only with an election timeout <= 666 ms. */
export const DEFAULT_LEASE_TTL_SECONDS = 1;
const REGISTER_RETRY_MIN_MS = 100;
const REGISTER_RETRY_MAX_MS = 2_000;

/**
 * Membership through `/<cluster>/members/<id>` keys on kept-alive leases.
 *
 * Watching works without registering (the API only reads). A registered member whose lease is
 * lost (etcd unreachable past the TTL, or the lease revoked) registers again on a new lease as
 * soon as etcd answers, retrying with backoff; only deregister() stops that.
 */
@Injectable()
export class MembershipService implements Membership, OnModuleInit, OnModuleDestroy {
  private readonly keys: ClusterKeys;
  private readonly ttl: number;
  private readonly logger: ClusterLogger;
  private readonly range: WatchedRange;
  private readonly subject = new BehaviorSubject<ReadonlyMap<string, MemberInfo> | undefined>(
    undefined,
  );
  private member?: MemberInfo;
  private lease?: Lease;
  private registering?: Promise<void>;
  private closed = false;

  readonly members$: Observable<ReadonlyMap<string, MemberInfo>> = defer(() => {
    void this.start();
    return this.subject.pipe(filter((m): m is ReadonlyMap<string, MemberInfo> => m !== undefined));
  });

  constructor(
    @Inject(ETCD_CLIENT) private readonly client: Etcd3,
    @Inject(CLUSTER_OPTIONS) options: ClusterOptions,
    @Optional() @Inject(CLUSTER_LOGGER) logger?: ClusterLogger,
  ) {
    this.keys = new ClusterKeys(options.cluster);
    this.ttl = options.leaseTtlSeconds ?? DEFAULT_LEASE_TTL_SECONDS;
    this.logger = clusterLogger('Membership', logger);
    this.range = new WatchedRange(client, {
      prefix: this.keys.membersPrefix,
      what: 'members',
      logger: this.logger,
      onChange: (kvs) => this.subject.next(this.decode(kvs)),
    });
  }

  /** Starts the watch; resolves once the member set has been read (idempotent). */
  start(): Promise<void> {
    return this.range.start();
  }

  async onModuleInit(): Promise<void> {
    await this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.deregister().catch((err) =>
      this.logger.warn(`could not revoke the membership lease: ${describeError(err)}`),
    );
    await this.close();
  }

  /** Stops watching (does not deregister). */
  async close(): Promise<void> {
    this.closed = true;
    await this.range.close();
    this.subject.complete();
  }

  current(): ReadonlyMap<string, MemberInfo> {
    return this.subject.value ?? new Map();
  }

  /** Resolves once the key is in etcd; keeps retrying while etcd is unreachable. */
  async register(member: MemberInfo): Promise<void> {
    if (this.member && this.member.id !== member.id) {
      throw new Error(`already registered as ${this.member.id}; deregister first`);
    }
    this.member = member;
    void this.start();
    await this.ensureRegistered();
  }

  async update(member: MemberInfo): Promise<void> {
    if (!this.member || this.member.id !== member.id) {
      throw new Error(`cannot update member ${member.id}: not registered as it`);
    }
    this.member = member;
    const lease = this.lease;
    // No lease (being registered again): the registration loop puts the new value.
    if (!lease) return this.ensureRegistered();
    await lease.put(this.keys.member(member.id)).value(JSON.stringify(member)).exec();
  }

  async deregister(): Promise<void> {
    const member = this.member;
    this.member = undefined;
    const lease = this.lease;
    this.lease = undefined;
    if (!lease) return;
    await lease.revoke();
    if (member) this.logger.log(`member ${member.id} left the cluster (lease revoked)`);
  }

  private ensureRegistered(): Promise<void> {
    this.registering ??= this.registerLoop().finally(() => (this.registering = undefined));
    return this.registering;
  }

  private async registerLoop(): Promise<void> {
    const backoff = new RetryBackoff(REGISTER_RETRY_MIN_MS, REGISTER_RETRY_MAX_MS);
    for (let attempt = 1; this.member && !this.closed; attempt++) {
      const member = this.member;
      const lease = this.client.lease(this.ttl);
      this.lease = lease;
      lease.on('lost', (err: Error) => this.onLeaseLost(lease, err));
      try {
        await lease.put(this.keys.member(member.id)).value(JSON.stringify(member)).exec();
        if (attempt > 1) {
          this.logger.log(`member ${member.id} registered again at ${member.address}`);
        }
        return;
      } catch (err) {
        if (this.lease === lease) this.lease = undefined;
        lease.release();
        const delay = backoff.next();
        this.logger.warn(
          `cannot register member ${member.id} in etcd (${describeError(err)}); retrying in ${delay} ms`,
        );
        await sleep(delay);
      }
    }
  }

  private onLeaseLost(lease: Lease, err: Error): void {
    if (lease !== this.lease || !this.member || this.closed) return;
    this.lease = undefined;
    this.logger.warn(
      `lost the etcd lease of member ${this.member.id} (${describeError(err)}): registering again`,
    );
    void this.ensureRegistered();
  }

  private decode(kvs: ReadonlyMap<string, IKeyValue>): ReadonlyMap<string, MemberInfo> {
    const members = new Map<string, MemberInfo>();
    for (const [key, kv] of kvs) {
      const id = this.keys.memberId(key);
      if (id === undefined) continue;
      try {
        const info = JSON.parse(kv.value.toString()) as Partial<MemberInfo>;
        if (typeof info.address !== 'string') throw new Error('no address');
        members.set(id, {
          id,
          address: info.address,
          ...(info.diskFull === true ? { diskFull: true } : {}),
        });
      } catch (err) {
        this.logger.warn(`ignoring member key ${key}: ${describeError(err)}`);
      }
    }
    return members;
  }
}
