'use strict';
// What `distilled start` needs before it can run anything: a current build and etcd.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, SERVER_SCRIPT, API_SCRIPT } = require('./paths');
const { info, warn, fail } = require('./output');

const SOURCE_DIRS = ['apps', 'libs'];
const SOURCE_FILES = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
];

function newestSourceMtime() {
  let newest = 0;
  const visit = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        // The launcher and tests are not part of the apps' build.
        if (entry.name === 'node_modules' || full === path.join(ROOT, 'libs', 'launcher')) continue;
        visit(full);
      } else if (/\.(ts|proto|json)$/.test(entry.name) && !/\.spec\.ts$/.test(entry.name)) {
        newest = Math.max(newest, fs.statSync(full).mtimeMs);
      }
    }
  };
  for (const dir of SOURCE_DIRS)
    if (fs.existsSync(path.join(ROOT, dir))) visit(path.join(ROOT, dir));
  for (const file of SOURCE_FILES) {
    const full = path.join(ROOT, file);
    if (fs.existsSync(full)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Why a build is needed, or undefined when dist/ is current. */
function buildReason() {
  const missing = [SERVER_SCRIPT, API_SCRIPT].filter((f) => !fs.existsSync(f));
  if (missing.length) return `${missing.map((f) => path.relative(ROOT, f)).join(' and ')} missing`;
  const built = Math.min(...[SERVER_SCRIPT, API_SCRIPT].map((f) => fs.statSync(f).mtimeMs));
  if (newestSourceMtime() > built) return 'sources changed since the last build';
  return undefined;
}

function ensureBuilt() {
  const reason = buildReason();
  if (!reason) return;
  info(`building (${reason}): npm run build`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0)
    fail('the build failed (output above); fix it and run `distilled start` again');
}

const hasEtcd = () => spawnSync('etcd', ['--version'], { stdio: 'ignore' }).status === 0;

const HOW_TO_INSTALL_ETCD = `etcd is not installed (distilled uses it for leader election and cluster metadata).
Install it, then run \`distilled start\` again:
  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y etcd-server
  macOS:          brew install etcd
  any system:     download a release from https://github.com/etcd-io/etcd/releases
                  and put the \`etcd\` binary on your PATH
Or run everything in Docker instead: docker-compose up --scale distilled-server=3`;

/** etcd on PATH; installs Debian's etcd-server when we are root on Debian, else explains. */
function ensureEtcd() {
  if (hasEtcd()) return;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && fs.existsSync('/etc/debian_version')) {
    info(
      "etcd is missing; installing Debian's etcd-server (apt-get update && apt-get install -y etcd-server)",
    );
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const run = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
    if (run(['update']) && run(['install', '-y', 'etcd-server']) && hasEtcd()) return;
    warn('installing etcd-server failed');
  }
  process.stderr.write(`${HOW_TO_INSTALL_ETCD}\n`);
  process.exit(1);
}

module.exports = { ensureBuilt, ensureEtcd, buildReason };
