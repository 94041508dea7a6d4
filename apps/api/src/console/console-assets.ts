import { existsSync } from 'node:fs';
import { join } from 'node:path';
import send from '@fastify/send';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { routeNotFound, unavailable } from '../problems';

/**
 * The console's built files (apps/console, bundled by Vite into dist/apps/console by
 * `npm run build`), sent with @fastify/send: ETag and Last-Modified with conditional GETs,
 * no path escapes the folder. Vite puts a content hash in every file name under assets/, so
 * those are cached for a year as immutable; index.html names the current ones and is revalidated
 * on every load (no-cache), so a new build shows at the next reload.
 */
export class ConsoleAssets {
  /** `root`: the built console's folder, or null when it has not been built. */
  constructor(readonly root: string | null) {}

  async send(request: FastifyRequest, reply: FastifyReply, path: string): Promise<void> {
    if (this.root === null) {
      throw unavailable(
        'The console has not been built: run `npm run build`, which bundles apps/console into dist/apps/console.',
      );
    }
    // Only plain names: `assets/../index.html` would stay inside the folder but be cached as
    // an immutable asset.
    if (!path.split('/').every((part) => SAFE_NAME.test(part))) {
      throw routeNotFound(request.method, request.url);
    }
    const hashed = path.startsWith('assets/');
    const result = await send(request.raw, `/${path}`, {
      root: this.root,
      dotfiles: 'deny',
      index: false,
      etag: true,
      lastModified: true,
      maxAge: hashed ? '365d' : 0,
      immutable: hashed,
    });
    if (result.type !== 'file') throw routeNotFound(request.method, request.url);
    const headers = { ...result.headers };
    if (!hashed) headers['cache-control'] = 'no-cache';
    await reply.code(result.statusCode).headers(headers).send(result.stream);
  }
}

const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

/**
 * Beside the built API (dist/apps/api/main.js), in dist/ when the API runs from source, or in
 * the working directory's dist/ (a test run's copy of the API bundle elsewhere, started from
 * the repository).
 */
export function locateConsoleBuild(candidates = defaultCandidates()): string | null {
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

function defaultCandidates(): string[] {
  return [
    join(__dirname, '..', 'console'),
    join(__dirname, '..', '..', '..', '..', 'dist', 'apps', 'console'),
  ];
}
