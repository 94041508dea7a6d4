// The one client of distilled.v1.Replica that the API, replicas' tooling, the launcher, the
// benchmarks and the tests use: typed promises instead of callbacks, and AppendStream behind
// the same append() shape as the unary call.
import type { ChannelOptions } from '@grpc/grpc-js';
import { AppendStreamClient } from './append-stream-client';
import { RangeStreamClient } from './range-stream-client';
import { openFollowStream, type FollowStream, type FollowStreamHandlers } from './follow-stream';
import { createReplicaStub, type ReplicaStub } from './grpc-client';
import type { GrpcSecurity } from './grpc-security';
import { unaryCall } from './unary-call';
import type {
  AppendRequest__Input,
  AppendResponse,
  ReadBatchResponse,
  ReadRangeRequest__Input,
  ReadRangeResponse,
  ReadResponse,
  StatusResponse,
} from './messages';

/**
 * One channel to one replica (it connects lazily and reconnects by itself). Unary calls take an
 * absolute deadline (Date.now() scale) and reject with the grpc-js ServiceError; `appends` sends
 * Append requests over one long-lived AppendStream on the same channel, opened on first use.
 */
export class ReplicaClient {
  readonly stub: ReplicaStub;
  private appendStream?: AppendStreamClient;
  private rangeStream?: RangeStreamClient;

  constructor(
    readonly address: string,
    channelOptions: ChannelOptions = {},
    /** Plaintext when omitted; a process with DISTILLED_GRPC_TLS_* passes its one GrpcSecurity. */
    security?: GrpcSecurity,
  ) {
    this.stub = createReplicaStub(address, channelOptions, security);
  }

  /** Appends over this channel's AppendStream (what high-rate callers use). */
  get appends(): AppendStreamClient {
    return (this.appendStream ??= new AppendStreamClient(this.stub));
  }

  append(request: AppendRequest__Input, deadline: number): Promise<AppendResponse> {
    return unaryCall(this.stub.Append.bind(this.stub), request, deadline);
  }

  read(offset: number, deadline: number): Promise<ReadResponse> {
    return unaryCall(this.stub.Read.bind(this.stub), { offset }, deadline);
  }

  readBatch(offsets: number[], deadline: number): Promise<ReadBatchResponse> {
    return unaryCall(this.stub.ReadBatch.bind(this.stub), { offsets }, deadline);
  }

  /** Committed messages from request.offset on (long-polls with wait_ms; empty past the HW). */
  readRange(request: ReadRangeRequest__Input, deadline: number): Promise<ReadRangeResponse> {
    return unaryCall(this.stub.ReadRange.bind(this.stub), request, deadline);
  }

  /**
   * readRange over this channel's ReadRangeStream (what high-rate readers use): the same answer
   * and errors without a gRPC call each. A replica that predates the stream is read with the
   * unary call for a minute after each refusal (RANGE_STREAM_RETRY_AFTER_MS), then the stream
   * is tried again: a rolling upgrade does not leave the API on the unary call until it restarts.
   */
  async readRangeStreamed(
    request: ReadRangeRequest__Input,
    deadline: number,
  ): Promise<ReadRangeResponse> {
    const ranges = (this.rangeStream ??= new RangeStreamClient(this.stub));
    if (ranges.unsupported) return this.readRange(request, deadline);
    try {
      return await ranges.read(request, deadline);
    } catch (error) {
      if (ranges.unsupported) return this.readRange(request, deadline);
      throw error;
    }
  }

  /** The committed log from `offset` on, live (no deadline: it lasts until cancelled). */
  follow(offset: number, handlers: FollowStreamHandlers): FollowStream {
    return openFollowStream(this.stub, offset, handlers);
  }

  status(deadline: number): Promise<StatusResponse> {
    return unaryCall(this.stub.Status.bind(this.stub), {}, deadline);
  }

  /** Resolves once the channel is connected (benchmarks connect before the clock starts). */
  ready(deadline: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.stub.waitForReady(deadline, (error) => (error ? reject(error) : resolve())),
    );
  }

  /**
   * Closes the channel. Appends waiting on the stream keep it until each is answered or times
   * out (AppendStreamClient.close); unary calls and streamed range reads in flight fail
   * CANCELLED.
   */
  close(): void {
    this.appendStream?.close();
    this.rangeStream?.close();
    this.stub.close();
  }
}
