/**
 * The replicas' logs in the API's /metrics (retention): log start, log size in bytes and segments
 * deleted, per node, read from each replica's Status at scrape time (the same call GET /Cluster
 * joins), so a scrape of the API shows the whole cluster. One round of Status calls per scrape,
 * shared by the three gauges; an unreachable replica is left out of that scrape.
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import type { StatusResponse } from '@distilled/proto';
import { STATUS_CALL_TIMEOUT_MS } from '../constants';
import { MetricsService } from '../metrics/metrics.service';
import { REPLICA_GATEWAY, type ReplicaGateway } from '../replicas/replica-gateway';

/** Statuses fetched for one scrape are reused by the other gauges of the same scrape. */
const SCRAPE_REUSE_MS = 500;

@Injectable()
export class ReplicaLogMetrics implements OnModuleInit {
  private last: { at: number; statuses: Promise<StatusResponse[]> } | null = null;

  constructor(
    @Inject(REPLICA_GATEWAY) private readonly gateway: ReplicaGateway,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const gauge = (name: string, help: string, pick: (s: StatusResponse) => number): void => {
      const statuses = () => this.statuses();
      new Gauge({
        name,
        help,
        labelNames: ['node'] as const,
        registers: [this.metrics.registry],
        async collect() {
          this.reset();
          for (const status of await statuses()) this.set({ node: status.id }, pick(status));
        },
      });
    };
    gauge(
      'distilled_replica_log_start_offset',
      'First offset each replica still serves (retention deletes below it).',
      (s) => s.log_start_offset,
    );
    gauge(
      'distilled_replica_log_size_bytes',
      "Bytes of each replica's segment files (the active one included).",
      (s) => s.log_size_bytes,
    );
    gauge(
      'distilled_replica_disk_full',
      "1 while a replica's disk refuses its log writes (ENOSPC, EDQUOT), else 0.",
      (s) => (s.disk_full ? 1 : 0),
    );
    gauge(
      'distilled_replica_segments_deleted',
      'Segments each replica deleted by retention since it started.',
      (s) => s.segments_deleted,
    );
  }

  private statuses(): Promise<StatusResponse[]> {
    const now = Date.now();
    if (this.last && now - this.last.at < SCRAPE_REUSE_MS) return this.last.statuses;
    const deadline = now + STATUS_CALL_TIMEOUT_MS;
    const statuses = Promise.all(
      this.gateway.replicas().map((replica) =>
        this.gateway.status(replica, deadline).then(
          (status): StatusResponse | null => status,
          () => null,
        ),
      ),
    ).then((all) => all.filter((status): status is StatusResponse => status !== null));
    this.last = { at: now, statuses };
    return statuses;
  }
}
