import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ThrowawayCa, type CertificateFiles } from '@distilled/launcher';
import { loadDistilledPackage } from './grpc-client';
import { GrpcSecurity, type GrpcTlsMaterial } from './grpc-security';
import { ReplicaClient } from './replica-client';
import type { StatusResponse__Input } from './messages';

/** A Replica server answering Status, secured as `security` says. */
async function startServer(security: GrpcSecurity) {
  const server = new grpc.Server();
  server.addService(loadDistilledPackage().Replica.service, {
    Status: (_call: unknown, callback: grpc.sendUnaryData<StatusResponse__Input>) =>
      callback(null, { id: 'r1', role: 'leader', epoch: 1 }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', security.serverCredentials(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { server, port };
}

function material(ca: ThrowawayCa, files: CertificateFiles, serverName?: string): GrpcTlsMaterial {
  return {
    ca: readFileSync(ca.cert),
    cert: readFileSync(files.cert),
    key: readFileSync(files.key),
    serverName,
  };
}

describe('GrpcSecurity', () => {
  let dir: string;
  let ca: ThrowawayCa;
  let other: ThrowawayCa;
  let member: GrpcTlsMaterial;
  let server: grpc.Server;
  let port: number;
  const clients: ReplicaClient[] = [];

  /** Status through a fresh client: the id, or the gRPC status code of the failure. */
  async function statusWith(security: GrpcSecurity, host = '127.0.0.1'): Promise<string | number> {
    const client = new ReplicaClient(`${host}:${port}`, {}, security);
    clients.push(client);
    try {
      return (await client.status(Date.now() + 3000)).id;
    } catch (error) {
      return (error as grpc.ServiceError).code;
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'grpc-security-'));
    ca = await ThrowawayCa.create(join(dir, 'ours'), 'ours');
    other = await ThrowawayCa.create(join(dir, 'other'), 'other');
    member = material(ca, await ca.issue('replica'));
    ({ server, port } = await startServer(GrpcSecurity.mutualTls(member)));
  });

  afterAll(() => {
    for (const client of clients) client.close();
    server?.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('from', () => {
    it('gives plaintext for null and one GrpcSecurity per material', () => {
      expect(GrpcSecurity.from(null)).toBe(GrpcSecurity.insecure());
      expect(GrpcSecurity.from(null).tls).toBe(false);
      const security = GrpcSecurity.from(member);
      expect(security.tls).toBe(true);
      expect(GrpcSecurity.from(member)).toBe(security);
    });
  });

  describe('channelOptions', () => {
    it('overrides the name checked only when a server name is given', () => {
      expect(GrpcSecurity.mutualTls(member).channelOptions).toEqual({});
      expect(GrpcSecurity.mutualTls({ ...member, serverName: 'replica' }).channelOptions).toEqual({
        'grpc.ssl_target_name_override': 'replica',
      });
      expect(GrpcSecurity.insecure().channelOptions).toEqual({});
    });
  });

  describe('a mutual-TLS server', () => {
    it('answers a client with a certificate of its CA', async () => {
      expect(await statusWith(GrpcSecurity.mutualTls(member))).toBe('r1');
    });

    it('refuses a plaintext client', async () => {
      expect(await statusWith(GrpcSecurity.insecure())).toBe(grpc.status.UNAVAILABLE);
    });

    it('refuses a client whose certificate another CA signed', async () => {
      const stranger = material(other, await other.issue('stranger'));
      // It trusts our CA, so only its own certificate can be the reason.
      const security = GrpcSecurity.mutualTls({ ...stranger, ca: member.ca });
      expect(await statusWith(security)).toBe(grpc.status.UNAVAILABLE);
    });

    it('is refused by a client that trusts another CA', async () => {
      const security = GrpcSecurity.mutualTls({ ...member, ca: readFileSync(other.cert) });
      expect(await statusWith(security)).toBe(grpc.status.UNAVAILABLE);
    });
  });

  describe('server names', () => {
    it('checks the address dialled against the certificate, or the override when given', async () => {
      // The certificate names 127.0.0.1 and localhost, not 127.0.0.2 (still this machine).
      expect(await statusWith(GrpcSecurity.mutualTls(member), 'localhost')).toBe('r1');
      expect(await statusWith(GrpcSecurity.mutualTls(member), '127.0.0.2')).toBe(
        grpc.status.UNAVAILABLE,
      );
      const named = await ca.issue('named', { dns: ['distilled-replica'] });
      const namedServer = await startServer(GrpcSecurity.mutualTls(material(ca, named)));
      try {
        const dial = (security: GrpcSecurity) => {
          const client = new ReplicaClient(`127.0.0.1:${namedServer.port}`, {}, security);
          clients.push(client);
          return client.status(Date.now() + 3000).then(
            (status) => status.id,
            (error: grpc.ServiceError) => error.code,
          );
        };
        expect(await dial(GrpcSecurity.mutualTls(member))).toBe(grpc.status.UNAVAILABLE);
        const override = { ...member, serverName: 'distilled-replica' };
        expect(await dial(GrpcSecurity.mutualTls(override))).toBe('r1');
      } finally {
        namedServer.server.forceShutdown();
      }
    });
  });
});
