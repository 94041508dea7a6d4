/**
 * HTTP/2 frames on a follower's fetch stream, counted (`npm run bench -- fetch-frames [--cycles
 * 300 --bytes 35000 --window N]`): a leader-like grpc-js server answers each fetch request with
 * one response of `--bytes` of batches then an HW-only one (as a busy leader does), the follower's
 * ReplicationClient (LeaderClient's) asks `--cycles` times, and a TCP relay between them parses the frames each way.
 * Counts, not times: the figure does not depend on the host's load. `--window` overrides the
 * follower channel's grpc-node.flow_control_window (default 4 MiB, the candidate of branch
 * follower-gap-news; 0: grpc-js's default 65,535, what LeaderClient uses).
 */
import * as net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { Args } from './lib/args';
import { GrpcSecurity, ReplicationClient, type FetchResponse } from '@distilled/proto';
import { loadDistilledPackage } from '../libs/proto/src/grpc-client';

/** The window tried for a follower's fetch channel (branch follower-gap-news: FETCH_WINDOW_BYTES). */
const CANDIDATE_WINDOW_BYTES = 4 * 1024 * 1024;

const FRAME_NAMES = [
  'DATA',
  'HEADERS',
  'PRIORITY',
  'RST_STREAM',
  'SETTINGS',
  'PUSH_PROMISE',
  'PING',
  'GOAWAY',
  'WINDOW_UPDATE',
  'CONTINUATION',
];

/** Counts HTTP/2 frames by type in one direction of a connection (after the client preface). */
class FrameCounter {
  readonly frames = new Map<string, number>();
  chunks = 0;
  private pending = Buffer.alloc(0);
  constructor(private skip: number) {}
  feed(chunk: Buffer): void {
    this.chunks++;
    this.pending = Buffer.concat([this.pending, chunk]);
    if (this.skip > 0) {
      const n = Math.min(this.skip, this.pending.length);
      this.pending = this.pending.subarray(n);
      this.skip -= n;
    }
    while (this.pending.length >= 9) {
      const length = this.pending.readUIntBE(0, 3);
      if (this.pending.length < 9 + length) break;
      const name = FRAME_NAMES[this.pending[3]] ?? `type ${this.pending[3]}`;
      this.frames.set(name, (this.frames.get(name) ?? 0) + 1);
      this.pending = this.pending.subarray(9 + length);
    }
  }
}

export async function run(argv: string[]): Promise<void> {
  const args = new Args(argv);
  const cycles = Math.round(args.number('cycles', 300));
  const bytes = Math.round(args.number('bytes', 35_000));
  const window = args.has('window') ? Math.round(args.number('window', 0)) : CANDIDATE_WINDOW_BYTES;
  const batches = Buffer.alloc(bytes, 7);
  const server = new grpc.Server();
  server.addService(loadDistilledPackage().Replication.service, {
    Fetch: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
      let hw = 0;
      call.on('data', () => {
        hw += 1;
        call.write({ epoch: 1, high_watermark: hw, batches, leader_log_end_offset: hw });
        call.write({
          epoch: 1,
          high_watermark: hw + 1,
          leader_log_end_offset: hw,
          request_kept: true,
        });
      });
      call.on('end', () => call.end());
    },
    EndOffsetForEpoch: (_call: unknown, done: grpc.sendUnaryData<unknown>) => done(null, {}),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  const up = new FrameCounter(24);
  const down = new FrameCounter(0);
  const relay = net.createServer((inbound) => {
    const outbound = net.connect(port, '127.0.0.1');
    inbound.on('data', (c: Buffer) => (up.feed(c), outbound.write(c)));
    outbound.on('data', (c: Buffer) => (down.feed(c), inbound.write(c)));
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
    inbound.on('error', () => undefined);
    outbound.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const relayPort = (relay.address() as net.AddressInfo).port;
  const client = new ReplicationClient(
    `127.0.0.1:${relayPort}`,
    GrpcSecurity.insecure(),
    window > 0 ? { 'grpc-node.flow_control_window': window } : {},
  );
  const call = client.fetch();
  let received = 0;
  let asked = 0;
  await new Promise<void>((resolve, reject) => {
    call.on('error', reject);
    const ask = () => {
      asked++;
      call.write({
        follower_id: 'f',
        epoch: 1,
        log_end_offset: asked,
        accepts_kept_requests: true,
      });
    };
    call.on('data', (response: FetchResponse) => {
      received++;
      if (response.request_kept) {
        if (asked >= cycles) resolve();
        else ask();
      }
    });
    ask();
  });
  call.cancel();
  client.close();
  relay.close();
  server.forceShutdown();
  const show = (c: FrameCounter) =>
    [...c.frames].map(([name, n]) => `${name} ${(n / cycles).toFixed(2)}`).join(', ');
  console.log(
    `fetch-frames: ${cycles} cycles of a ${bytes}-byte batch response + an HW-only one, follower window ${window > 0 ? window : 'grpc-js default (65,535)'}; ${received} responses`,
  );
  console.log(
    `  follower → leader per cycle: ${show(up)}; TCP reads at the leader ${(up.chunks / cycles).toFixed(2)}`,
  );
  console.log(
    `  leader → follower per cycle: ${show(down)}; TCP reads at the follower ${(down.chunks / cycles).toFixed(2)}`,
  );
}
