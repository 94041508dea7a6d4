import { Logger } from '@nestjs/common';
import { ClientProxyFactory, Transport, type ClientGrpc } from '@nestjs/microservices';
import type { CallOptions, ClientReadableStream, Metadata } from '@grpc/grpc-js';
import type { Observable } from 'rxjs';
import {
  AppendStreamClient,
  PROTO_LOADER_OPTIONS,
  PROTO_PACKAGE,
  resolveProtoPath,
  type AppendRequest,
  type AppendResponse,
  type AppendStreamCapable,
  type FollowRequest,
  type FollowResponse,
  type ReadBatchRequest,
  type ReadBatchResponse,
  type ReadRangeRequest,
  type ReadRangeResponse,
  type ReadRequest,
  type ReadResponse,
  type StatusRequest,
  type StatusResponse,
} from '@distilled/proto';
import { GRPC_MAX_MESSAGE_BYTES } from '../constants';

/** distilled.v1.Replica as Nest's gRPC client exposes it. */
export interface ReplicaService {
  Append(
    request: AppendRequest,
    metadata: Metadata,
    options: CallOptions,
  ): Observable<AppendResponse>;
  Read(request: ReadRequest, metadata: Metadata, options: CallOptions): Observable<ReadResponse>;
  ReadBatch(
    request: ReadBatchRequest,
    metadata: Metadata,
    options: CallOptions,
  ): Observable<ReadBatchResponse>;
  Status(
    request: StatusRequest,
    metadata: Metadata,
    options: CallOptions,
  ): Observable<StatusResponse>;
  ReadRange(
    request: ReadRangeRequest,
    metadata: Metadata,
    options: CallOptions,
  ): Observable<ReadRangeResponse>;
}

/** The raw grpc-js Follow call (a readable stream), for its events and cancel(). */
export interface FollowCapable {
  Follow(request: FollowRequest): ClientReadableStream<FollowResponse>;
}

interface PooledClient {
  proxy: { close(): unknown };
  service: ReplicaService;
  /** Appends over one AppendStream on the same channel (what the producer uses). */
  appends: AppendStreamClient;
  /** The same channel's raw client, for server streams (Follow). */
  raw: FollowCapable;
}

/** Channel options for every replica client, in one place. */
export const REPLICA_CHANNEL_OPTIONS = {
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.max_receive_message_length': GRPC_MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': GRPC_MAX_MESSAGE_BYTES,
} as const;

/**
 * One gRPC client per replica address, kept for as long as the address is in the membership
 * (the terminus model: ClientProxyFactory.create cached in a Map by address). A client's
 * channel connects lazily and reconnects by itself, so it is never made per request.
 */
export class ReplicaClientPool {
  private readonly clients = new Map<string, PooledClient>();
  private readonly logger = new Logger('ReplicaClientPool');
  private readonly protoPath = resolveProtoPath();

  /** The client for `address`, made on first use. */
  get(address: string): ReplicaService {
    return this.entry(address).service;
  }

  /** The raw client for `address` (same channel as get()), for Follow streams. */
  streams(address: string): FollowCapable {
    return this.entry(address).raw;
  }

  /** The append stream to `address` (same channel as get()), made on first use. */
  appends(address: string): AppendStreamClient {
    return this.entry(address).appends;
  }

  private entry(address: string): PooledClient {
    let client = this.clients.get(address);
    if (!client) {
      const proxy = ClientProxyFactory.create({
        transport: Transport.GRPC,
        options: {
          url: address,
          package: PROTO_PACKAGE,
          protoPath: this.protoPath,
          loader: { ...PROTO_LOADER_OPTIONS },
          channelOptions: { ...REPLICA_CHANNEL_OPTIONS },
        },
      }) as unknown as ClientGrpc & { close(): unknown };
      const raw = proxy.getClientByServiceName<AppendStreamCapable & FollowCapable>('Replica');
      client = {
        proxy,
        service: proxy.getService<ReplicaService>('Replica'),
        appends: new AppendStreamClient(raw),
        raw,
      };
      this.clients.set(address, client);
      this.logger.log(`client for replica at ${address} created`);
    }
    return client;
  }

  /** Closes the clients of addresses not in `keep` (replicas that left). */
  retain(keep: ReadonlySet<string>): void {
    for (const [address, client] of this.clients) {
      if (keep.has(address)) continue;
      this.clients.delete(address);
      client.appends.close();
      client.proxy.close();
      this.logger.log(`client for replica at ${address} closed`);
    }
  }

  closeAll(): void {
    this.retain(new Set());
  }

  get size(): number {
    return this.clients.size;
  }
}
