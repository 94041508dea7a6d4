import { join } from 'node:path';
import { ApiProcess } from './api-process';

const FAKE = join(__dirname, '__fixtures__', 'fake-app.js');

describe('ApiProcess', () => {
  it('starts, waits for GET /health and stops', async () => {
    const api = new ApiProcess({ etcd: 'http://127.0.0.1:1', cluster: 'spec', script: FAKE });
    try {
      await api.start();
      expect(api.url).toBe(`http://127.0.0.1:${api.port}`);
      expect((await fetch(`${api.url}/health`)).status).toBe(200);
      const env = JSON.parse(
        api
          .outputLines()
          .find((l) => l.startsWith('env '))!
          .slice(4),
      );
      expect(env).toMatchObject({
        DISTILLED_ETCD: 'http://127.0.0.1:1',
        DISTILLED_CLUSTER: 'spec',
        DISTILLED_API_HOST: '127.0.0.1',
        DISTILLED_API_PORT: String(api.port),
      });
    } finally {
      await api.stop();
    }
    expect(api.running).toBe(false);
  });

  it('gives up with NOT_READY when /health never answers', async () => {
    // As a "replica" the fake never serves HTTP, so /health stays unreachable.
    const api = new ApiProcess({
      etcd: 'http://127.0.0.1:1',
      cluster: 'spec',
      script: FAKE,
      readyTimeoutMs: 500,
      env: {
        DISTILLED_API_PORT: undefined,
        DISTILLED_GRPC_PORT: '0',
        DISTILLED_GRPC_HOST: '127.0.0.1',
      },
    });
    await expect(api.start()).rejects.toMatchObject({ code: 'NOT_READY' });
    expect(api.running).toBe(false);
  });
});
