import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiModule } from '../api.module';
import { apiConfig, parseApiConfig } from '../config';
import { configureApiApp, createApiAdapter } from '../http/api-app';
import { ReplicasModule } from '../replicas/replicas.module';
import { FakeReplicaGateway, fakeReplicasModule } from '../testing/fake-replica-gateway';
import { ConsoleAssets, locateConsoleBuild } from './console-assets';
import { ConsoleFeed } from './console-feed.service';

/** The API with the replicas faked and the console's files in `root` (null: not built). */
async function startApp(root: string | null): Promise<NestFastifyApplication> {
  const config = parseApiConfig({});
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule] })
    .overrideModule(ReplicasModule)
    .useModule(fakeReplicasModule(new FakeReplicaGateway()))
    .overrideProvider(apiConfig.KEY)
    .useValue(config)
    .overrideProvider(ConsoleAssets)
    .useValue(new ConsoleAssets(root))
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createApiAdapter(config), {
    bodyParser: false,
    logger: false,
  });
  configureApiApp(app, config, { swaggerUi: false });
  await app.listen(0, '127.0.0.1');
  return app;
}

function get(app: NestFastifyApplication, path: string) {
  return app.getHttpAdapter().getInstance().inject({ method: 'GET', url: path });
}

describe('ConsoleController', () => {
  let build: string;

  beforeAll(() => {
    build = mkdtempSync(join(tmpdir(), 'console-build-'));
    mkdirSync(join(build, 'assets'));
    writeFileSync(join(build, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(build, 'assets', 'index-abc123.js'), 'console.log(1)');
  });
  afterAll(() => rmSync(build, { recursive: true, force: true }));

  describe('page and asset', () => {
    let app: NestFastifyApplication;
    beforeAll(async () => (app = await startApp(build)));
    afterAll(() => app.close());

    it('serves the page revalidated on every load and hashed assets as immutable', async () => {
      const page = await get(app, '/ui');
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.headers.etag).toBeDefined();
      const asset = await get(app, '/ui/assets/index-abc123.js');
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['content-type']).toMatch(/javascript/);
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(asset.body).toBe('console.log(1)');
    });

    it('answers a conditional GET with 304', async () => {
      const page = await get(app, '/ui');
      const again = await app
        .getHttpAdapter()
        .getInstance()
        .inject({
          method: 'GET',
          url: '/ui',
          headers: { 'if-none-match': String(page.headers.etag) },
        });
      expect(again.statusCode).toBe(304);
    });

    it.each(['/ui/assets/missing.js', '/ui/assets/..%2Findex.html', '/ui/assets/.hidden'])(
      '%s is a 404 problem',
      async (path) => {
        const response = await get(app, path);
        expect(response.statusCode).toBe(404);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      },
    );
  });

  describe('events', () => {
    let app: NestFastifyApplication;
    beforeAll(async () => (app = await startApp(build)));
    afterAll(() => app.close());

    it('streams a snapshot at once and closes the subscription when the client goes', async () => {
      const url = new URL('/ui/events', await app.getUrl());
      const feed = app.get(ConsoleFeed);
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        const request = httpRequest(url, resolve);
        request.on('error', reject);
        request.end();
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-store');
      let received = '';
      await new Promise<void>((resolve) => {
        response.on('data', (chunk: Buffer) => {
          received += chunk.toString('utf8');
          if (received.includes('event: snapshot\ndata: ') && received.endsWith('\n\n')) resolve();
        });
      });
      const data = /event: snapshot\ndata: (.*)\n\n/.exec(received)![1];
      const frame = JSON.parse(data) as { state: { leader: string; replicas: unknown[] } };
      expect(frame.state.leader).toBe('r1');
      expect(frame.state.replicas).toHaveLength(3);
      expect(feed.clientCount).toBe(1);

      response.destroy();
      const deadline = Date.now() + 5000;
      while (feed.clientCount > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(feed.clientCount).toBe(0);
    });

    it('lets the app close while a stream is open', async () => {
      const other = await startApp(build);
      const url = new URL('/ui/events', await other.getUrl());
      const response = await new Promise<IncomingMessage>((resolve) =>
        httpRequest(url, resolve).end(),
      );
      response.resume();
      const closed = other.close().then(() => 'closed');
      const timeout = new Promise((resolve) => setTimeout(() => resolve('hung'), 5000));
      expect(await Promise.race([closed, timeout])).toBe('closed');
      response.destroy();
    });
  });

  describe('before the console is built', () => {
    let app: NestFastifyApplication;
    beforeAll(async () => (app = await startApp(null)));
    afterAll(() => app.close());

    it('answers /ui with a 503 problem that says how to build it', async () => {
      const response = await get(app, '/ui');
      expect(response.statusCode).toBe(503);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json().detail).toContain('npm run build');
    });
  });
});

describe('locateConsoleBuild', () => {
  it('finds the first folder holding index.html, or null', () => {
    const empty = mkdtempSync(join(tmpdir(), 'console-none-'));
    const built = mkdtempSync(join(tmpdir(), 'console-built-'));
    writeFileSync(join(built, 'index.html'), '');
    try {
      expect(locateConsoleBuild([empty, built])).toBe(built);
      expect(locateConsoleBuild([empty])).toBeNull();
    } finally {
      rmSync(empty, { recursive: true, force: true });
      rmSync(built, { recursive: true, force: true });
    }
  });
});
