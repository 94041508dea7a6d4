/**
 * The load models of bench/suite.ts, aimed at the JetStream peer: one NATS connection per
 * worker (as one keep-alive HTTP connection per worker on our side), synchronous publish (the
 * ack awaited, as POST /Data awaits its offset), direct get of a random stored sequence (as
 * GET /Data?offset=n), a window of 100 async publishes awaited together (as one POST
 * /Data/Batch of 100), and an ordered consumer draining the stream (as GET /Data/Range).
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import type { Operation } from '../lib/closed-loop';
import type { OffsetRange } from '../lib/targets';
import { type JetStreamCluster, STREAM, SUBJECT } from './jetstream-cluster';

export class JetStreamWorkers {
  private constructor(
    private readonly connections: NatsConnection[],
    private readonly clients: JetStreamClient[],
  ) {}

  static async open(cluster: JetStreamCluster, concurrency: number): Promise<JetStreamWorkers> {
    const connections = await Promise.all(
      Array.from({ length: concurrency }, () => cluster.connect()),
    );
    return new JetStreamWorkers(
      connections,
      connections.map((nc) => jetstream(nc, { timeout: 30_000 })),
    );
  }

  /** Publish of one `size`-byte message, awaiting the stream's ack; notes its sequence. */
  publish(size: number, written: OffsetRange): Operation {
    const payload = Buffer.alloc(size, 'x');
    return async (worker) => {
      const ack = await this.clients[worker].publish(SUBJECT, payload);
      written.note(ack.seq);
    };
  }

  /** `window` publishes in flight at once, all awaited (one op = `window` messages). */
  publishWindow(size: number, window: number, written: OffsetRange): Operation {
    const payload = Buffer.alloc(size, 'x');
    return async (worker) => {
      const js = this.clients[worker];
      const acks = await Promise.all(
        Array.from({ length: window }, () => js.publish(SUBJECT, payload)),
      );
      for (const ack of acks) written.note(ack.seq);
    };
  }

  /** Direct get (allow_direct: any replica answers) of a random sequence among `written`. */
  async directGet(written: OffsetRange): Promise<Operation> {
    const managers = await Promise.all(this.connections.map((nc) => jetstreamManager(nc)));
    return async (worker) => {
      const seq = written.random();
      const message = await managers[worker].direct.getMessage(STREAM, { seq });
      if (!message || message.seq !== seq) throw new Error(`direct get ${seq} answered another`);
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.connections.map((nc) => nc.close().catch(() => undefined)));
  }
}

/**
 * Reads the whole stream with an ordered consumer from sequence 1 to its last one; resolves to
 * how many messages arrived and in how many seconds.
 */
export async function drainOrdered(
  cluster: JetStreamCluster,
): Promise<{ messages: number; seconds: number }> {
  const nc = await cluster.connect();
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(STREAM);
    const last = info.state.last_seq;
    const expected = info.state.messages;
    const consumer = await jetstream(nc).consumers.get(STREAM);
    const start = performance.now();
    const messages = await consumer.consume({ max_messages: 1000 });
    let count = 0;
    for await (const message of messages) {
      count++;
      if (message.seq >= last) break;
    }
    const seconds = (performance.now() - start) / 1000;
    if (count !== expected) throw new Error(`ordered consumer read ${count} of ${expected}`);
    return { messages: count, seconds };
  } finally {
    await nc.close();
  }
}
