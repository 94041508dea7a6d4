// The start process's control endpoint, on 127.0.0.1 only, through which the commands other
// terminals run (add-replica, stop-replica, ...) change the cluster:
//   GET  /state                    POST /replicas            (add one)
//   POST /replicas/<id>/stop|kill|restart
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError } from '@distilled/common';
import type { LocalCluster, ReplicaProcess } from '@distilled/launcher';
import type { ReplicaView } from '../cluster-control';
import { info } from '../output';

export interface ControlServer {
  url: string;
  close(): void;
}

const describe = (r: ReplicaProcess): ReplicaView => ({
  id: r.id,
  address: r.address,
  pid: r.pid,
  running: r.running,
});

export function startControlServer(
  getCluster: () => LocalCluster | undefined,
  saveState: () => void,
): Promise<ControlServer> {
  const server = createServer((req, res) => {
    void handle(req.method ?? 'GET', req.url ?? '/', res);
  });

  async function handle(method: string, path: string, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const cluster = getCluster();
    if (!cluster) return send(503, { error: 'the cluster is still starting' });
    try {
      const url = new URL(path, 'http://control');
      if (method === 'GET' && url.pathname === '/state') {
        return send(200, { replicas: cluster.replicas.map(describe) });
      }
      if (method === 'POST' && url.pathname === '/replicas') {
        info('add-replica: starting a new replica');
        const replica = await cluster.addReplica();
        saveState();
        info(`${replica.id} started on ${replica.address}; it catches up, then joins the ISR`);
        return send(201, describe(replica));
      }
      const match = /^\/replicas\/([^/]+)\/(stop|kill|restart)$/.exec(url.pathname);
      if (method === 'POST' && match) {
        const replica = cluster.replica(decodeURIComponent(match[1]));
        const action = match[2];
        info(`${action}-replica ${replica.id}`);
        if (action === 'stop') await replica.stop();
        else if (action === 'kill') await replica.kill('SIGKILL');
        else await replica.restart();
        saveState();
        return send(200, describe(replica));
      }
      return send(404, { error: `no such control call: ${method} ${url.pathname}` });
    } catch (error) {
      const code = (error as { code?: string }).code;
      return send(code === 'UNKNOWN_REPLICA' ? 404 : 500, { error: describeError(error) });
    }
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
    });
  });
}
