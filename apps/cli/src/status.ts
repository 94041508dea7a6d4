// `distilled status`: the API's view of the cluster, then each replica's own (Replica.Status),
// which also works when the API is down.
import { describeError } from '@distilled/common';
import { clusterGrpcSecurity, StatusClient } from '@distilled/launcher';
import type { CliOptions } from './cli-options';
import { requireCluster } from './cluster-control';
import { apiKeyHeaders, apiUrl } from './data-commands';
import { paint } from './output';

const HEADER = [
  'REPLICA',
  'ADDRESS',
  'PID',
  'ROLE',
  'EPOCH',
  'LEADER',
  'IN ISR',
  'LOG START',
  'LOG END',
  'HW',
  'NOTE',
];

async function printApiView(api: string): Promise<void> {
  process.stdout.write(`${paint('bold', 'API')} ${api}\n`);
  try {
    const res = await fetch(`${api}/Cluster`, {
      headers: apiKeyHeaders(),
      signal: AbortSignal.timeout(3000),
    });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.ok) process.stdout.write(`  leader ${body.leader ?? 'none'}, epoch ${body.epoch}\n`);
    else
      process.stdout.write(
        `  GET /Cluster: ${res.status} ${body.title ?? ''} ${body.detail ?? ''}\n`,
      );
  } catch (error) {
    process.stdout.write(`  GET /Cluster failed: ${describeError(error)}\n`);
  }
}

export async function status(opts: CliOptions): Promise<void> {
  const state = requireCluster(opts);
  await printApiView(apiUrl(opts));

  // A `start --tls` cluster's replicas take only clients with a certificate of its CA.
  const client = new StatusClient(clusterGrpcSecurity(state.tls));
  const rows = [HEADER];
  for (const replica of state.replicas) {
    if (!replica.running) {
      rows.push([replica.id, replica.address, '-', 'stopped', '', '', '', '', '', '', '']);
      continue;
    }
    const start = [replica.id, replica.address, String(replica.pid)];
    try {
      const s = await client.status(replica.address, 2000);
      rows.push([
        ...start,
        s.role,
        String(s.epoch),
        s.leader_id || '-',
        s.in_sync ? 'yes' : 'no',
        String(s.log_start_offset),
        String(s.log_end_offset),
        String(s.high_watermark),
        s.problem || '',
      ]);
    } catch (error) {
      const details = (error as { details?: string }).details;
      rows.push([...start, 'no answer', '', '', '', '', '', '', details || describeError(error)]);
    }
  }
  client.close();
  const widths = HEADER.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  process.stdout.write(
    `${paint('bold', 'replicas')} (cluster "${state.cluster}", etcd ${state.etcd.endpoint})\n`,
  );
  for (const row of rows)
    process.stdout.write(`  ${row.map((cell, i) => cell.padEnd(widths[i])).join('  ')}\n`);
}
