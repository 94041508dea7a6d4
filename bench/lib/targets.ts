/**
 * What the closed loop drives: the HTTP API (POST /Data, GET /Data?offset=n) through undici,
 * one keep-alive connection per worker, and the replicas' gRPC client API (Replica.Append on
 * the leader, Replica.Read on a random replica) through @grpc/grpc-js.
 */
import { GrpcSecurity, ReplicaClient } from '@distilled/proto';
import { Client } from 'undici';
import type { Operation } from './closed-loop';

/** Offsets a write phase got back, so the read phase reads among them. */
export class OffsetRange {
  min = Infinity;
  max = -Infinity;
  note(offset: number): void {
    if (offset < this.min) this.min = offset;
    if (offset > this.max) this.max = offset;
  }
  get empty(): boolean {
    return this.max < this.min;
  }
  random(): number {
    return this.min + Math.floor(Math.random() * (this.max - this.min + 1));
  }
}

/** The JSON body of POST /Data carrying a message of exactly `size` bytes (ASCII). */
export function messageBody(size: number): string {
  return JSON.stringify({ message: 'x'.repeat(size) });
}

/** One undici Client (one keep-alive connection, no pipelining) per worker. */
export class HttpWorkers {
  private readonly clients: Client[];

  /**
   * `headers` go with every request (an API key's Authorization, say); `ca` is the CA an
   * https:// origin's certificate is checked against (bench --tls).
   */
  constructor(
    origin: string,
    concurrency: number,
    private readonly headers: Record<string, string> = {},
    ca?: Buffer,
  ) {
    this.clients = Array.from(
      { length: concurrency },
      () =>
        new Client(origin, {
          pipelining: 1,
          keepAliveTimeout: 60_000,
          headersTimeout: 30_000,
          bodyTimeout: 30_000,
          ...(ca && { connect: { ca } }),
        }),
    );
  }

  /** POST /Data; expects 2xx {"offset": n}. */
  append(size: number, written: OffsetRange): Operation {
    const body = messageBody(size);
    const headers = { ...this.headers, 'content-type': 'application/json' };
    return async (worker) => {
      const res = await this.clients[worker].request({
        path: '/Data',
        method: 'POST',
        headers,
        body,
      });
      const text = await res.body.text();
      if (res.statusCode < 200 || res.statusCode >= 300) {
        throw new Error(`POST /Data ${res.statusCode}: ${text.slice(0, 200)}`);
      }
      written.note((JSON.parse(text) as { offset: number }).offset);
    };
  }

  /** GET /Data?offset=n for a uniformly random n among `written`; expects 200 with that offset. */
  read(written: OffsetRange): Operation {
    return async (worker) => {
      const offset = written.random();
      const res = await this.clients[worker].request({
        path: `/Data?offset=${offset}`,
        method: 'GET',
        headers: this.headers,
      });
      const text = await res.body.text();
      if (res.statusCode !== 200) {
        throw new Error(`GET /Data?offset=${offset} ${res.statusCode}: ${text.slice(0, 200)}`);
      }
      if ((JSON.parse(text) as { offset: number }).offset !== offset) {
        throw new Error(`GET /Data?offset=${offset} answered another offset`);
      }
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.close().catch(() => undefined)));
  }
}

/**
 * gRPC clients: `channels` channels per replica (each its own HTTP/2 connection); worker i uses
 * channel i % channels, so 1 channel = all workers multiplexed on one connection (how gRPC is
 * normally used), channels = concurrency = one connection per worker.
 */
export class GrpcWorkers {
  private readonly byAddress = new Map<string, ReplicaClient[]>();

  constructor(
    private readonly leader: string,
    private readonly replicas: string[],
    private readonly channels: number,
    /** How the channels dial (mutual TLS with bench --tls). */
    security: GrpcSecurity = GrpcSecurity.insecure(),
  ) {
    for (const address of new Set([leader, ...replicas])) {
      this.byAddress.set(
        address,
        Array.from(
          { length: channels },
          () =>
            new ReplicaClient(
              address,
              // Separate connections per channel instead of grpc-js's shared subchannel.
              { 'grpc.use_local_subchannel_pool': 1 },
              security,
            ),
        ),
      );
    }
  }

  private client(address: string, worker: number): ReplicaClient {
    const list = this.byAddress.get(address)!;
    return list[worker % list.length];
  }

  /**
   * Replica.AppendStream: each worker's append of one `size`-byte message is a request on a
   * stream to the leader (one stream per channel, shared by the workers on it), answered by id.
   */
  appendStream(size: number, written: OffsetRange): Operation {
    const message = Buffer.alloc(size, 'x');
    const clients = this.byAddress.get(this.leader)!;
    return async (worker) => {
      const res = await clients[worker % clients.length].appends.append(
        { messages: [message], producer_id: 0, sequence: 0 },
        Date.now() + 30_000,
      );
      written.note(res.base_offset);
    };
  }

  /** Replica.Append of one `size`-byte message to the leader (no producer id). */
  append(size: number, written: OffsetRange): Operation {
    const message = Buffer.alloc(size, 'x');
    return async (worker) => {
      const res = await this.client(this.leader, worker).append(
        { messages: [message], producer_id: 0, sequence: 0 },
        Date.now() + 30_000,
      );
      written.note(res.base_offset);
    };
  }

  /** Replica.Read of a uniformly random offset among `written`, on a random replica. */
  read(written: OffsetRange): Operation {
    return async (worker) => {
      const address = this.replicas[Math.floor(Math.random() * this.replicas.length)];
      const offset = written.random();
      const res = await this.client(address, worker).read(offset, Date.now() + 30_000);
      if (res.offset !== offset) throw new Error(`Read(${offset}) answered ${res.offset}`);
    };
  }

  /** Connects every channel before the clock starts. */
  async ready(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await Promise.all([...this.byAddress.values()].flat().map((client) => client.ready(deadline)));
  }

  close(): void {
    for (const list of this.byAddress.values()) for (const client of list) client.close();
  }
}
