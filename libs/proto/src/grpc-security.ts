// How every gRPC channel and server of a process is secured, decided once: plaintext, or mutual
// TLS with a CA the operator gives. All channels (ReplicaClient, ReplicationClient, the pool)
// and the replica's server take their credentials from one GrpcSecurity, so a process never
// mixes the two and no file is read per channel.
import { credentials, ServerCredentials, type ChannelCredentials } from '@grpc/grpc-js';
import type { ChannelOptions } from '@grpc/grpc-js';

/** The PEM contents (not paths) mutual TLS is built from; read and checked once at start. */
export interface GrpcTlsMaterial {
  /** The CA certificate(s) that sign every replica's and the API's certificate. */
  ca: Buffer;
  /** This process's certificate chain, presented as server and as client. */
  cert: Buffer;
  /** The private key of `cert`. */
  key: Buffer;
  /**
   * The name every peer's certificate is checked against, instead of the host of the address
   * dialled (grpc.ssl_target_name_override). Unset: the address's host must be one of the
   * certificate's subject alternative names.
   */
  serverName?: string;
}

/** One GrpcSecurity per material object: from() called again for it gives the same one. */
const built = new WeakMap<GrpcTlsMaterial, GrpcSecurity>();

export class GrpcSecurity {
  private static plaintext?: GrpcSecurity;

  private constructor(
    private readonly material: GrpcTlsMaterial | null,
    /** What every channel of this process dials with. */
    readonly channelCredentials: ChannelCredentials,
  ) {}

  /** Plaintext: what a cluster without DISTILLED_GRPC_TLS_* runs with. */
  static insecure(): GrpcSecurity {
    return (GrpcSecurity.plaintext ??= new GrpcSecurity(null, credentials.createInsecure()));
  }

  /**
   * Mutual TLS: channels verify the server against `ca` and present `cert`; the server
   * requires and verifies a client certificate signed by `ca`.
   */
  static mutualTls(material: GrpcTlsMaterial): GrpcSecurity {
    return new GrpcSecurity(
      material,
      credentials.createSsl(material.ca, material.key, material.cert),
    );
  }

  /**
   * insecure() for null, mutualTls() otherwise (an app's config gives one or the other), made
   * once per material: main.ts (server credentials) and the services (channels) that ask with
   * the same config share one GrpcSecurity.
   */
  static from(material: GrpcTlsMaterial | null): GrpcSecurity {
    if (!material) return GrpcSecurity.insecure();
    let security = built.get(material);
    if (!security) {
      security = GrpcSecurity.mutualTls(material);
      built.set(material, security);
    }
    return security;
  }

  get tls(): boolean {
    return this.material !== null;
  }

  /** Channel options the credentials need (the server-name override); merge into every channel's. */
  get channelOptions(): ChannelOptions {
    const name = this.material?.serverName;
    return name ? { 'grpc.ssl_target_name_override': name } : {};
  }

  /**
   * The replica server's credentials. With TLS, `checkClientCertificate` is true: a peer
   * without a certificate signed by the CA fails the handshake before any call.
   */
  serverCredentials(): ServerCredentials {
    if (!this.material) return ServerCredentials.createInsecure();
    return ServerCredentials.createSsl(
      this.material.ca,
      [{ cert_chain: this.material.cert, private_key: this.material.key }],
      true,
    );
  }

  /** "plaintext" or "mutual TLS ...": for the start-up log line. */
  describe(): string {
    if (!this.material) return 'plaintext';
    const name = this.material.serverName;
    return `mutual TLS (peers verified against the CA${name ? `, by the name "${name}"` : ', by their address'})`;
  }
}
