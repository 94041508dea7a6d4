/**
 * Measurements of the replicas alone over gRPC (no API): failover time, catch-up rate of a new
 * replica, and Append throughput at 64 and 1 concurrent callers. Drives the cluster with the
 * e2e suites' replica client and driver, so a benchmark and the tests exercise it one way.
 *
 *   npm run build
 *   npm run bench -- replication [failover|catchup|throughput|throughput-nofsync]
 */
import { LocalCluster } from '@distilled/launcher';
import { eventually } from '../test/helpers/eventually';
import { ReplicaTestClient } from '../test/helpers/replication-client';
import { ReplicationDriver } from '../test/helpers/replication-cluster';
import { median, percentile } from './lib/stats';

async function failover(rounds: number): Promise<void> {
  const cluster = await LocalCluster.start({ replicas: 3, minInsync: 2, api: false });
  const driver = new ReplicationDriver(cluster);
  const times: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const status = await cluster.waitForIsr(
        cluster.replicas.map((r) => r.id),
        30_000,
      );
      await driver.append([`before-${round}`]);
      const leader = cluster.replica(status.leader_id);
      await leader.kill('SIGKILL');
      const started = Date.now();
      await driver.append([`after-${round}`], 30_000, 2_000);
      times.push(Date.now() - started);
      await leader.start();
    }
    await driver.expectAllAcknowledgedOn(driver.live());
    console.log(
      `failover (SIGKILL leader -> first acked Append via the new leader, lease TTL 2 s): ${times.join(', ')} ms; median ${median(times)} ms`,
    );
  } finally {
    driver.close();
    await cluster.stop();
  }
}

async function catchUp(total: number): Promise<void> {
  const cluster = await LocalCluster.start({ replicas: 1, minInsync: 1, api: false });
  const driver = new ReplicationDriver(cluster);
  try {
    await cluster.waitForLeader();
    const batch = Array.from({ length: 2000 }, (_, i) => `m${i}`.padEnd(100, '.'));
    let end = 0;
    while (end < total)
      end = (await driver.append(batch, 15_000, 15_000, false)).base_offset + 2000;
    const fresh = await cluster.addReplica();
    const started = Date.now();
    await eventually(
      'catch-up',
      async () => {
        const status = await driver.status(fresh);
        return status.log_end_offset >= end ? status : undefined;
      },
      120_000,
      20,
    );
    const ms = Date.now() - started;
    console.log(
      `catch-up of an empty replica: ${end} messages of 100 B in ${ms} ms = ${Math.round(end / (ms / 1000))} messages/s (from process ready)`,
    );
  } finally {
    driver.close();
    await cluster.stop();
  }
}

async function throughput(
  replicas: number,
  minInsync: number,
  callers: number,
  seconds: number,
  fsync: 'always' | 'never' = 'always',
) {
  const cluster = await LocalCluster.start({ replicas, minInsync, fsync, api: false });
  const clients: ReplicaTestClient[] = [];
  try {
    const status = await cluster.waitForIsr(
      cluster.replicas.map((r) => r.id),
      30_000,
    );
    const address = cluster.replica(status.leader_id).address;
    const message = Buffer.alloc(100, 'x');
    // One channel per 8 callers: like a small pool of API processes.
    for (let i = 0; i < Math.ceil(callers / 8); i++) clients.push(new ReplicaTestClient(address));
    const latencies: number[] = [];
    let errors = 0;
    const deadline = Date.now() + seconds * 1000;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: callers }, async (_, caller) => {
        const client = clients[caller % clients.length];
        while (Date.now() < deadline) {
          const t = process.hrtime.bigint();
          try {
            await client.append([message]);
            latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
          } catch {
            errors++;
          }
        }
      }),
    );
    const elapsed = (Date.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    console.log(
      `Append throughput, ${replicas} replica(s), MIN_INSYNC=${minInsync}, fsync ${fsync}, ${callers} callers, 1 x 100 B per call: ${Math.round(latencies.length / elapsed)} appends/s; p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms; ${errors} errors`,
    );
  } finally {
    for (const client of clients) client.close();
    await cluster.stop();
  }
}

export async function run(args: string[]): Promise<void> {
  const only = args[0];
  if (!only || only === 'failover') await failover(5);
  if (!only || only === 'catchup') await catchUp(300_000);
  if (!only || only === 'throughput') {
    await throughput(3, 2, 64, 8);
    await throughput(1, 1, 64, 8);
    await throughput(3, 2, 1, 4);
  }
  if (only === 'throughput-nofsync') {
    await throughput(3, 2, 64, 8, 'never');
    await throughput(1, 1, 64, 8, 'never');
  }
}
