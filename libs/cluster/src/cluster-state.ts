import {
  Inject,
  Injectable,
  type OnModuleDestroy,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import { describeError } from '@distilled/common';
import type { Etcd3, IKeyValue } from 'etcd3';
import { BehaviorSubject, type Observable, defer, filter } from 'rxjs';
import {
  CLUSTER_OPTIONS,
  type ClusterOptions,
  type ClusterState,
  type ClusterStateStore,
  type VersionedClusterState,
} from './cluster.interface';
import { ETCD_CLIENT } from './etcd.provider';
import { ClusterKeys } from './keys';
import { CLUSTER_LOGGER, type ClusterLogger, clusterLogger } from './logger';
import { WatchedRange } from './watched-range';

/** Parses the JSON of the state key; throws with a sentence when it is not a ClusterState. */
export function decodeClusterState(raw: string): ClusterState {
  const value: unknown = JSON.parse(raw);
  const v = value as Partial<ClusterState> | null;
  if (
    !v ||
    typeof v !== 'object' ||
    !Number.isSafeInteger(v.epoch) ||
    (v.leader !== null && typeof v.leader !== 'string') ||
    !Array.isArray(v.isr) ||
    !v.isr.every((id) => typeof id === 'string')
  ) {
    throw new Error(`not a cluster state: ${raw.slice(0, 200)}`);
  }
  const state: ClusterState = { epoch: v.epoch as number, leader: v.leader, isr: [...v.isr] };
  if (v.incarnations !== undefined) {
    state.incarnations = decodeIncarnations(v.incarnations, state.isr, raw);
  }
  return state;
}

/** member id -> incarnation, every key an ISR member: anything else is a broken state. */
function decodeIncarnations(
  value: unknown,
  isr: readonly string[],
  raw: string,
): Record<string, string> {
  const fail = (why: string): never => {
    throw new Error(`not a cluster state (incarnations ${why}): ${raw.slice(0, 200)}`);
  };
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail('is not an object');
  const incarnations: Record<string, string> = {};
  for (const [id, incarnation] of Object.entries(value as object)) {
    if (typeof incarnation !== 'string' || incarnation === '') {
      fail(`of ${id} is not a non-empty string`);
    }
    if (!isr.includes(id)) fail(`name ${id}, which is not in the ISR`);
    incarnations[id] = incarnation as string;
  }
  return incarnations;
}

/** Incarnations are written for ISR members only, and not at all when there are none. */
export function encodeClusterState(state: ClusterState): string {
  const incarnations = Object.fromEntries(
    Object.entries(state.incarnations ?? {}).filter(([id]) => state.isr.includes(id)),
  );
  return JSON.stringify({
    epoch: state.epoch,
    leader: state.leader,
    isr: state.isr,
    ...(Object.keys(incarnations).length > 0 ? { incarnations } : {}),
  });
}

function versioned(kv: IKeyValue): VersionedClusterState {
  return { state: decodeClusterState(kv.value.toString()), modRevision: kv.mod_revision };
}

/**
 * Reads and mirrors `/<cluster>/state`. Read-only: the only writer is the fenced leader path
 * in ElectionService. state$ emits nothing until the first read from etcd, so "null" always
 * means "etcd has no state", never "not loaded yet".
 */
@Injectable()
export class ClusterStateService implements ClusterStateStore, OnModuleInit, OnModuleDestroy {
  private readonly keys: ClusterKeys;
  private readonly logger: ClusterLogger;
  private readonly range: WatchedRange;
  private readonly subject = new BehaviorSubject<VersionedClusterState | null | undefined>(
    undefined,
  );

  readonly state$: Observable<VersionedClusterState | null> = defer(() => {
    void this.start();
    return this.subject.pipe(filter((s): s is VersionedClusterState | null => s !== undefined));
  });

  constructor(
    @Inject(ETCD_CLIENT) private readonly client: Etcd3,
    @Inject(CLUSTER_OPTIONS) options: ClusterOptions,
    @Optional() @Inject(CLUSTER_LOGGER) logger?: ClusterLogger,
  ) {
    this.keys = new ClusterKeys(options.cluster);
    this.logger = clusterLogger('ClusterState', logger);
    this.range = new WatchedRange(client, {
      key: this.keys.state,
      what: 'cluster state',
      logger: this.logger,
      onChange: (kvs) => this.onChange(kvs.get(this.keys.state)),
    });
  }

  /** Starts the watch; resolves once the state has been read (idempotent). */
  start(): Promise<void> {
    return this.range.start();
  }

  async onModuleInit(): Promise<void> {
    await this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    await this.range.close();
    this.subject.complete();
  }

  async read(): Promise<VersionedClusterState | null> {
    const res = await this.client.get(this.keys.state).exec();
    const kv = res.kvs[0];
    return kv ? versioned(kv) : null;
  }

  current(): VersionedClusterState | null {
    return this.subject.value ?? null;
  }

  private onChange(kv: IKeyValue | undefined): void {
    let next: VersionedClusterState | null = null;
    if (kv) {
      try {
        next = versioned(kv);
      } catch (err) {
        // Keep the last good state: a garbage write must not look like "no state yet".
        this.logger.error(`ignoring an invalid cluster state in etcd: ${describeError(err)}`);
        return;
      }
    }
    const prev = this.subject.value;
    if (prev !== undefined && prev?.modRevision === next?.modRevision) return;
    this.subject.next(next);
  }
}
