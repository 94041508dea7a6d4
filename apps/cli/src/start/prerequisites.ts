// What `distilled start` needs before it can run anything: a current build and etcd.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { API_SCRIPT, ROOT, SERVER_SCRIPT } from '../paths';
import { fail, info, warn } from '../output';

const SOURCE_DIRS = ['apps', 'libs'];
const SOURCE_FILES = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
];
/** The launcher and this CLI run from source: not part of the apps' build. */
const NOT_BUILT = [join(ROOT, 'libs', 'launcher'), join(ROOT, 'apps', 'cli')];

function newestSourceMtime(): number {
  let newest = 0;
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === 'node_modules' || NOT_BUILT.includes(full)) continue;
        visit(full);
      } else if (/\.(ts|proto|json)$/.test(entry.name) && !/\.spec\.ts$/.test(entry.name)) {
        newest = Math.max(newest, statSync(full).mtimeMs);
      }
    }
  };
  for (const dir of SOURCE_DIRS) if (existsSync(join(ROOT, dir))) visit(join(ROOT, dir));
  for (const file of SOURCE_FILES) {
    const full = join(ROOT, file);
    if (existsSync(full)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** Why a build is needed, or undefined when dist/ is current. */
export function buildReason(): string | undefined {
  const scripts = [SERVER_SCRIPT, API_SCRIPT];
  const missing = scripts.filter((file) => !existsSync(file));
  if (missing.length) return `${missing.map((f) => relative(ROOT, f)).join(' and ')} missing`;
  const built = Math.min(...scripts.map((file) => statSync(file).mtimeMs));
  if (newestSourceMtime() > built) return 'sources changed since the last build';
  return undefined;
}

export function ensureBuilt(): void {
  const reason = buildReason();
  if (!reason) return;
  info(`building (${reason}): npm run build`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0)
    fail('the build failed (output above); fix it and run `distilled start` again');
}

const hasEtcd = (): boolean => spawnSync('etcd', ['--version'], { stdio: 'ignore' }).status === 0;

const HOW_TO_INSTALL_ETCD = `etcd is not installed (distilled uses it for leader election and cluster metadata).
Install it, then run \`distilled start\` again:
  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y etcd-server
  macOS:          brew install etcd
  any system:     download a release from https://github.com/etcd-io/etcd/releases
                  and put the \`etcd\` binary on your PATH
Or run everything in Docker instead: docker-compose up --scale distilled-server=3`;

/** etcd on PATH; installs Debian's etcd-server when we are root on Debian, else explains. */
export function ensureEtcd(): void {
  if (hasEtcd()) return;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && existsSync('/etc/debian_version')) {
    info(
      "etcd is missing; installing Debian's etcd-server (apt-get update && apt-get install -y etcd-server)",
    );
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const run = (args: string[]): boolean =>
      spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
    if (run(['update']) && run(['install', '-y', 'etcd-server']) && hasEtcd()) return;
    warn('installing etcd-server failed');
  }
  process.stderr.write(`${HOW_TO_INSTALL_ETCD}\n`);
  process.exit(1);
}
