import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import {
  LocalCluster,
  ThrowawayCa,
  throwawayClusterTls,
  type ClusterTlsFiles,
} from '@distilled/launcher';
import { GrpcSecurity, ReplicaClient, type StatusResponse } from '@distilled/proto';
import { ApiClient } from './helpers/api-client';
import { dumpOutput } from './helpers/e2e-cluster';
import { eventually } from './helpers/eventually';
import { openStream, type StreamEvent } from './helpers/sse-client';
import { expectAckedReadable, startWriters } from './helpers/writers';

interface RangeAnswer {
  messages: Array<{ offset: number; message: string }>;
  endOffset: number;
}

// TLS against real processes and a throwaway CA made with openssl: the API serves HTTPS only,
// gRPC between the API and the replicas and between replicas is mutual TLS, and every peer
// without a certificate of the cluster's CA (plaintext, or another CA) is refused before it
// can change the log.
describe('TLS: HTTPS for the API, mutual TLS for gRPC', () => {
  let dir: string;
  let tls: ClusterTlsFiles;
  let ca: Buffer;
  let cluster: LocalCluster;
  let api: ApiClient;
  let dispatcher: Agent;
  const clients: ReplicaClient[] = [];

  /** A plaintext replica: empty DISTILLED_GRPC_TLS_* (empty means unset). */
  const PLAINTEXT_REPLICA = 'replica-plain';
  const HEADERS_TIMEOUT_MS = 2000;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'distilled-tls-e2e-'));
    tls = await throwawayClusterTls(join(dir, 'ca'));
    ca = readFileSync(tls.ca);
    // The API client (and the writers through it) trusts the cluster's CA, and only it.
    dispatcher = new Agent({ connect: { ca } });
    cluster = await LocalCluster.start({
      replicas: 3,
      minInsync: 2,
      tls,
      // Short, so the slow-client cases below end quickly.
      apiEnv: { DISTILLED_API_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS) },
      replicaOptions: (id) =>
        id === PLAINTEXT_REPLICA
          ? {
              env: {
                DISTILLED_GRPC_TLS_CA: '',
                DISTILLED_GRPC_TLS_CERT: '',
                DISTILLED_GRPC_TLS_KEY: '',
              },
            }
          : {},
    });
    api = new ApiClient(cluster.api!.url, {}, dispatcher);
    await api.waitReady(30_000);
    await cluster.waitForIsr(['replica-1', 'replica-2', 'replica-3']);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await cluster?.stop();
    await dispatcher?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The TLS replicas' leader, as it sees itself (the launcher cannot call a plaintext one). */
  async function leaderStatus(): Promise<StatusResponse> {
    const members = cluster.runningReplicas.filter((r) => r.id !== PLAINTEXT_REPLICA);
    const views = await Promise.all(members.map((replica) => cluster.status(replica)));
    const leader = views.find((view) => view.role === 'leader');
    if (!leader) throw new Error(`no leader among ${views.map((v) => v.id).join(', ')}`);
    return leader;
  }

  /** The leader's log end and high watermark: what no refused peer may move. */
  async function logEnds(): Promise<{ leo: number; hw: number }> {
    const status = await leaderStatus();
    return { leo: status.log_end_offset, hw: status.high_watermark };
  }

  function client(address: string, security?: GrpcSecurity): ReplicaClient {
    const made = new ReplicaClient(address, {}, security);
    clients.push(made);
    return made;
  }

  it('serves the API over HTTPS: POST /Data, GET /Data, /Data/Range and /Data/Stream', async () => {
    expect(cluster.api!.url).toMatch(/^https:\/\//);
    const messages = ['tls-one', 'tls-two', 'tls-three'];
    const offsets: number[] = [];
    for (const message of messages) offsets.push(await api.append(message));

    for (const [i, offset] of offsets.entries()) {
      const read = await api.request<{ message: string }>('GET', `/Data?offset=${offset}`);
      expect(read.status).toBe(200);
      expect(read.body.message).toBe(messages[i]);
    }

    const range = await api.request<RangeAnswer>('GET', `/Data/Range?offset=${offsets[0]}`);
    expect(range.status).toBe(200);
    expect(range.body.messages.map((m) => m.message)).toEqual(messages);

    const events: StreamEvent[] = [];
    const stream = openStream(
      cluster.api!.url,
      `offset=${offsets[0]}`,
      (e) => events.push(e),
      {},
      ca,
    );
    try {
      expect((await stream.head).status).toBe(200);
      await eventually(
        'the three messages on the stream',
        async () => (events.length >= messages.length ? true : undefined),
        10_000,
      );
      expect(events.map((e) => e.message)).toEqual(messages);
    } finally {
      stream.close();
    }
  });

  it('serves Swagger UI and the console (page and its event feed) over HTTPS', async () => {
    const docs = await api.request<string>('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger-ui');
    const openApi = await api.request<{ paths: Record<string, unknown> }>('GET', '/docs-json');
    expect(Object.keys(openApi.body.paths)).toContain('/Data');

    const console = await api.request<string>('GET', '/ui');
    expect(console.status).toBe(200);
    expect(console.headers.get('content-type')).toContain('text/html');

    // The feed's first event (a snapshot) arrives over TLS.
    const firstEvent = await new Promise<string>((resolve, reject) => {
      const request = httpsGet(`${cluster.api!.url}/ui/events`, { ca }, (res) => {
        expect(res.headers['content-type']).toContain('text/event-stream');
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          if (text.includes('event: snapshot')) {
            request.destroy();
            resolve(text);
          }
        });
      });
      request.on('error', reject);
      request.setTimeout(10_000, () => request.destroy(new Error('no console snapshot in 10 s')));
    });
    expect(firstEvent).toContain('event: snapshot');
  });

  it('refuses plain HTTP on the API port: the handshake fails and nothing is served in clear', async () => {
    const before = await logEnds();
    const url = new URL(cluster.api!.url);
    const body = JSON.stringify({ message: 'sent in clear' });
    const received = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname);
      let bytes = '';
      socket.on('connect', () =>
        socket.write(
          `POST /Data HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        ),
      );
      socket.on('data', (chunk: Buffer) => (bytes += chunk.toString('latin1')));
      socket.on('close', () => resolve(bytes));
      socket.on('error', () => undefined);
      socket.setTimeout(10_000, () =>
        reject(new Error('the API kept a plain HTTP connection open')),
      );
    });
    expect(received).not.toContain('HTTP/1.1');
    expect(received).not.toContain('offset');
    // fetch over http:// fails outright rather than getting an answer.
    await expect(fetch(`http://${url.host}/Data?offset=0`)).rejects.toThrow();
    expect(await logEnds()).toEqual(before);
  });

  it('cuts off slow clients over HTTPS too: a stalled handshake, and headers that trickle (408)', async () => {
    const url = new URL(cluster.api!.url);
    // A TCP connection that never starts the handshake.
    const stalledFor = await new Promise<number>((resolve, reject) => {
      const started = Date.now();
      const socket = connect(Number(url.port), url.hostname);
      socket.on('close', () => resolve(Date.now() - started));
      socket.on('error', () => undefined);
      socket.setTimeout(15_000, () => reject(new Error('a stalled handshake was never cut off')));
    });
    expect(stalledFor).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 200);
    expect(stalledFor).toBeLessThan(HEADERS_TIMEOUT_MS + 3000);

    // A handshake that completes, then headers one line every 500 ms.
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({ host: url.hostname, port: Number(url.port), ca }, () => {
        socket.write(`GET /Data?offset=0 HTTP/1.1\r\nHost: ${url.host}\r\n`);
        let n = 0;
        const timer = setInterval(() => socket.write(`X-Slow-${n++}: 1\r\n`), 500);
        let received = '';
        socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
        socket.on('close', () => {
          clearInterval(timer);
          resolve(received);
        });
      });
      socket.on('error', () => undefined);
      socket.setTimeout(15_000, () => reject(new Error('trickling headers were never cut off')));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('application/problem+json');
  });

  it('refuses a plaintext gRPC client at a TLS replica, and the log is unchanged', async () => {
    const leader = await cluster.waitForLeader();
    const before = await logEnds();
    const plaintext = client(leader.address, GrpcSecurity.insecure());
    await expect(
      plaintext.append({ messages: [Buffer.from('plaintext append')] }, Date.now() + 3000),
    ).rejects.toMatchObject({ code: expect.any(Number) });
    await expect(plaintext.status(Date.now() + 3000)).rejects.toBeDefined();
    expect(await logEnds()).toEqual(before);
  });

  it('refuses a client certificate signed by another CA, and the log is unchanged', async () => {
    const leader = await cluster.waitForLeader();
    const before = await logEnds();
    const other = await ThrowawayCa.create(join(dir, 'other'), 'other');
    const stranger = await other.issue('stranger');
    // Trusts the cluster's CA (so the server is accepted) but presents another CA's certificate.
    const foreign = client(
      leader.address,
      GrpcSecurity.mutualTls({
        ca,
        cert: readFileSync(stranger.cert),
        key: readFileSync(stranger.key),
      }),
    );
    await expect(
      foreign.append({ messages: [Buffer.from('foreign append')] }, Date.now() + 3000),
    ).rejects.toBeDefined();
    await expect(foreign.status(Date.now() + 3000)).rejects.toBeDefined();

    // The same call with the cluster's own certificate goes through: the refusal above is the
    // certificate's, not the test's.
    const member = client(
      leader.address,
      GrpcSecurity.mutualTls({
        ca,
        cert: readFileSync(tls.cert),
        key: readFileSync(tls.key),
      }),
    );
    expect((await member.status(Date.now() + 3000)).id).toBe(leader.id);
    expect(await logEnds()).toEqual(before);
  });

  it('keeps a replica without TLS out: it never joins the ISR or copies the log', async () => {
    const plain = await cluster.addReplica({ id: PLAINTEXT_REPLICA });
    try {
      await api.append('written while a plaintext replica is up');
      const before = await logEnds();
      expect(before.leo).toBeGreaterThan(0);
      // Several replica-lag periods (2 s): long enough for a follower that could fetch to catch up.
      await sleep(5000);
      const own: StatusResponse = await client(plain.address, GrpcSecurity.insecure()).status(
        Date.now() + 3000,
      );
      expect(own.log_end_offset).toBe(0);
      const leaderView = await leaderStatus();
      expect(leaderView.isr).not.toContain(PLAINTEXT_REPLICA);
      expect(leaderView.isr).toHaveLength(3);
      // The API cannot call it either; it keeps serving from the TLS replicas.
      expect((await api.request('GET', '/Data?offset=0')).status).toBe(200);
      expect(await logEnds()).toEqual(before);
    } finally {
      await plain.stop();
    }
  });

  it('fails over after a SIGKILL of the leader: replica-to-replica TLS carries the log', async () => {
    const oldLeader = await cluster.waitForLeader();
    const writers = startWriters(api, { workers: 8, prefix: 'tls-failover' });
    let newLeaderId: string;
    try {
      await sleep(1000);
      await oldLeader.kill('SIGKILL');
      newLeaderId = (await cluster.waitForLeader(15_000)).id;
      await sleep(2000);
    } catch (error) {
      await writers.stop();
      dumpOutput(cluster);
      throw error;
    }
    const run = await writers.stop();
    expect(newLeaderId).not.toBe(oldLeader.id);
    expect(run.acked().length).toBeGreaterThan(0);
    await expectAckedReadable(api, run.acked());

    // The killed replica comes back and catches up from the new leader, over mutual TLS.
    await oldLeader.restart();
    await cluster.waitForIsr(['replica-1', 'replica-2', 'replica-3'], 30_000);
  });
});
