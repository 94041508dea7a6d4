import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/**
 * The repository root (the directory whose package.json is named "distilled"), found by
 * walking up from this file, so the launcher finds dist/ whether it runs under ts-jest,
 * ts-node or from a compiled copy, and whatever the caller's working directory is.
 */
export function repoRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'distilled') {
          cached = dir;
          return dir;
        }
      } catch {
        // unreadable package.json: keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  cached = process.cwd();
  return cached;
}

/** `dist/apps/server/main.js` under the repository root. */
export function defaultServerScript(): string {
  return join(repoRoot(), 'dist', 'apps', 'server', 'main.js');
}

/** `dist/apps/api/main.js` under the repository root. */
export function defaultApiScript(): string {
  return join(repoRoot(), 'dist', 'apps', 'api', 'main.js');
}
