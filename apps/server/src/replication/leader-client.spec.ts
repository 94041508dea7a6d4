import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { GrpcSecurity } from '@distilled/proto';
import { FETCH_WINDOW_BYTES } from '../constants';
import { LeaderClient } from './leader-client';

/** What a leader's HTTP/2 side sees of a follower's connection: the window it was granted. */
interface Granted {
  streamWindow: number;
  connectionWindow: number;
}

describe('LeaderClient', () => {
  let server: http2.Http2Server;
  let client: LeaderClient | undefined;

  afterEach(async () => {
    client?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('grants the leader FETCH_WINDOW_BYTES on the fetch channel, stream and connection, so fetch responses do not cost WINDOW_UPDATEs every 32 KB', async () => {
    // A bare HTTP/2 server stands in for the leader: it only looks at the follower's settings.
    const granted = new Promise<Granted>((resolve) => {
      server = http2.createServer();
      server.on('session', (session) => {
        // The connection window comes as a WINDOW_UPDATE after the settings: wait for the stream.
        session.on('stream', (stream) => {
          resolve({
            streamWindow: session.remoteSettings.initialWindowSize ?? 0,
            connectionWindow: session.state.remoteWindowSize ?? 0,
          });
          stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
          stream.end();
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new LeaderClient(`127.0.0.1:${port}`, GrpcSecurity.insecure());
    const call = client.fetch();
    call.on('error', () => undefined);
    const seen = await granted;
    call.cancel();
    expect(seen.streamWindow).toBe(FETCH_WINDOW_BYTES);
    expect(seen.connectionWindow).toBeGreaterThanOrEqual(FETCH_WINDOW_BYTES);
  });
});
