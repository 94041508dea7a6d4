import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from './repo-root';

export interface BuildSnapshot {
  /** The copy: `<dir>/server/main.js`, `<dir>/api/main.js`, their proto/ folders, and `<dir>/console`. */
  dir: string;
  serverScript: string;
  apiScript: string;
  /** Deletes the copy. */
  remove(): void;
}

/**
 * Copies dist/apps/{server,api,console} for one test or benchmark run, so that every process of the
 * run, restarted minutes in, runs the build the run began with, even when someone rebuilds
 * meanwhile (`nest build` deletes dist/ first). The copy lives under the repository's
 * node_modules/.cache (ignored by git, lint and Jest), so the bundles still resolve their
 * dependencies from the repository.
 */
export function snapshotBuild(options: { distDir?: string; label?: string } = {}): BuildSnapshot {
  const dist = resolve(options.distDir ?? join(repoRoot(), 'dist', 'apps'));
  for (const app of ['server', 'api']) {
    const main = join(dist, app, 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run "npm run build" first`);
  }
  const parent = join(repoRoot(), 'node_modules', '.cache', 'distilled-builds');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, `${options.label ?? 'run'}-`));
  for (const app of ['server', 'api']) {
    cpSync(join(dist, app), join(dir, app), { recursive: true });
  }
  // The console's page is found beside the API's bundle: copy it too, so /ui serves the page
  // the run began with.
  if (existsSync(join(dist, 'console'))) {
    cpSync(join(dist, 'console'), join(dir, 'console'), { recursive: true });
  }
  return {
    dir,
    serverScript: join(dir, 'server', 'main.js'),
    apiScript: join(dir, 'api', 'main.js'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
