import { Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import pLimit from 'p-limit';
import {
  MAX_OFFSET,
  STREAM_CATCH_UP_BYTES,
  STREAM_CATCH_UP_CONCURRENCY,
  STREAM_CATCH_UP_LIMIT,
  STREAM_KEEP_ALIVE_MS,
  STREAM_RETRY_MS,
  STREAM_WRITE_CHUNK_BYTES,
} from '../constants';
import { integerParamProblem } from '../data/dto/integer-param';
import { ApiProblem, invalidRequest } from '../problems';
import type { StreamQueryDto } from './dto/stream-query.dto';
import { streamOffsetProblem } from './dto/stream-query.dto';
import { FollowFeed } from './follow-feed';
import { RangeReader } from './range-reader';
import { KEEP_ALIVE_COMMENT, retryField } from './sse-event';
import { StreamConnection } from './stream-connection';

const LAST_EVENT_ID = {
  name: 'Last-Event-ID',
  min: 0,
  max: MAX_OFFSET - 1,
  example: '"Last-Event-ID: 41" (the id of the last event received)',
};

/**
 * GET /Data/Stream: where a stream starts (Last-Event-ID wins over `offset`; `end` is the
 * committed end), the response head, and the connections: a keep-alive comment on every idle
 * one, catch-up reads shared out by a concurrency limit, and all of them ended when the API stops.
 */
@Injectable()
export class StreamService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly connections = new Set<StreamConnection>();
  private readonly catchUpLimit = pLimit(STREAM_CATCH_UP_CONCURRENCY);
  private keepAliveTimer: NodeJS.Timeout | null = null;
  /** Events written since start, over every connection that ended (live ones add their own). */
  private deliveredByClosed = 0;

  constructor(
    private readonly feed: FollowFeed,
    private readonly ranges: RangeReader,
  ) {}

  onModuleInit(): void {
    this.keepAliveTimer = setInterval(() => {
      for (const connection of this.connections) {
        connection.keepAlive(KEEP_ALIVE_COMMENT, STREAM_KEEP_ALIVE_MS);
      }
    }, STREAM_KEEP_ALIVE_MS / 2);
    this.keepAliveTimer.unref();
  }

  /** Ends every stream, so the HTTP server can close; clients reconnect with Last-Event-ID. */
  beforeApplicationShutdown(): void {
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    for (const connection of [...this.connections]) connection.close();
  }

  /**
   * The first offset to send, from the query and the Last-Event-ID header. Throws the 400 (or,
   * for `end` with no leader, the 503) before anything is written.
   */
  async startOffset(
    query: StreamQueryDto,
    lastEventId: string | string[] | undefined,
  ): Promise<number> {
    if (lastEventId !== undefined) {
      const problem = integerParamProblem(LAST_EVENT_ID, lastEventId);
      if (problem !== null) {
        throw invalidRequest([{ field: 'Last-Event-ID', in: 'header', detail: problem }]);
      }
      return this.refuseTrimmed(Number(lastEventId) + 1);
    }
    if (query.offset === undefined) {
      const detail = streamOffsetProblem(undefined) ?? '';
      throw invalidRequest([{ field: 'offset', in: 'query', detail }]);
    }
    if (query.offset === 'end') return this.ranges.committedEnd();
    return this.refuseTrimmed(Number(query.offset));
  }

  /**
   * A start below the log's start is answered 410 (with `firstOffset`) before the stream opens:
   * once its head is sent, a stream can no longer say so. Other failures of this probe are left
   * to the stream's own catch-up, which retries.
   */
  private async refuseTrimmed(start: number): Promise<number> {
    try {
      await this.ranges.read({ offset: start, limit: 1, maxBytes: 1, waitMs: 0 });
    } catch (error) {
      if (error instanceof ApiProblem && error.problem.status === 410) throw error;
    }
    return start;
  }

  /** Sends the head and serves the stream on `response` until the client or the API ends it. */
  serve(response: ServerResponse, start: number): StreamConnection {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // nginx and similar proxies buffer responses unless told not to.
      'x-accel-buffering': 'no',
    });
    response.write(`${retryField(STREAM_RETRY_MS)}: following from offset ${start}\n\n`);
    const connection = new StreamConnection(
      response,
      start,
      this.feed,
      (offset) =>
        this.catchUpLimit(() =>
          this.ranges.read({
            offset,
            limit: STREAM_CATCH_UP_LIMIT,
            maxBytes: STREAM_CATCH_UP_BYTES,
            waitMs: 0,
          }),
        ),
      {
        chunkBytes: STREAM_WRITE_CHUNK_BYTES,
        retryMs: [100, 1000],
        onClose: () => {
          this.connections.delete(connection);
          this.deliveredByClosed += connection.delivered;
          if (!response.writableEnded) response.end();
        },
      },
    );
    this.connections.add(connection);
    response.once('close', () => connection.close());
    response.once('error', () => connection.close());
    connection.start();
    return connection;
  }

  /** What /metrics reports about streams. */
  stats(): {
    connections: number;
    catchingUp: number;
    bufferedBytes: number;
    delivered: number;
  } {
    let catchingUp = 0;
    let bufferedBytes = 0;
    let delivered = this.deliveredByClosed;
    for (const connection of this.connections) {
      if (connection.catchingUp) catchingUp += 1;
      bufferedBytes += connection.bufferedBytes;
      delivered += connection.delivered;
    }
    return { connections: this.connections.size, catchingUp, bufferedBytes, delivered };
  }
}
