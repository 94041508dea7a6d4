import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@distilled/launcher';

export interface BuildSnapshot {
  serverScript: string;
  apiScript: string;
  remove(): void;
}

/**
 * A copy of dist/apps/{server,api} for one e2e run, so that a rebuild in the same checkout
 * (which deletes dist/apps/<app> first) cannot pull a replica's script away in the middle of a
 * test that restarts it. It lives under <repo>/.tmp (ignored by git) so that Node still finds
 * <repo>/node_modules from there.
 */
export function snapshotBuild(): BuildSnapshot {
  const root = repoRoot();
  const parent = join(root, '.tmp');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, 'api-e2e-'));
  for (const app of ['server', 'api']) {
    const source = join(root, 'dist', 'apps', app);
    if (!existsSync(join(source, 'main.js'))) {
      throw new Error(`${source}/main.js does not exist: build the apps first ("npm run build")`);
    }
    cpSync(source, join(dir, app), { recursive: true });
  }
  return {
    serverScript: join(dir, 'server', 'main.js'),
    apiScript: join(dir, 'api', 'main.js'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
