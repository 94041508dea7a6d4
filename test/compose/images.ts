import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { docker, ROOT, run } from './docker';

/**
 * The images the compose test runs: the public ones users pull (node:20-slim, the etcd image;
 * the defaults in Dockerfile and docker-compose.yml) when the engine has or can pull them,
 * otherwise local stand-ins made without any registry: Debian bookworm from debootstrap
 * (cached as a tarball, so only the first run pays its minute or more), this machine's node
 * binary, Debian's etcd. The application image is the Dockerfile's `prebuilt` target, fed
 * with dependencies installed and dist/ built on the host (npm cannot reach its registry
 * from inside a container here).
 */

export interface TestImages {
  node: string;
  etcd: string;
  app: string;
}

const LOCAL_BASE = 'distilled-local/bookworm:minbase';
const CACHE_DIR = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'distilled');
const ROOTFS_TAR = join(CACHE_DIR, 'bookworm-minbase.tar');
const MIRROR = process.env.DISTILLED_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';

/** The default a `${VARIABLE:-default}` in docker-compose.yml or `ARG NAME=default` sets. */
function publicDefault(file: string, pattern: RegExp): string {
  const match = pattern.exec(readFileSync(join(ROOT, file), 'utf8'));
  if (!match) throw new Error(`no default image found in ${file} (${pattern})`);
  return match[1];
}

export const PUBLIC_NODE_IMAGE = publicDefault('Dockerfile', /^ARG NODE_IMAGE=(\S+)/m);
export const PUBLIC_ETCD_IMAGE = publicDefault(
  'docker-compose.yml',
  /\$\{DISTILLED_ETCD_IMAGE:-([^}]+)\}/,
);

async function hasImage(image: string): Promise<boolean> {
  return docker(['image', 'inspect', image], { timeoutMs: 15_000 }).then(
    () => true,
    () => false,
  );
}

/** The image itself if the engine has it or a registry gives it, else undefined. */
async function publicImage(image: string): Promise<string | undefined> {
  if (await hasImage(image)) return image;
  try {
    await docker(['pull', '--quiet', image], { timeoutMs: 120_000 });
    return image;
  } catch (error) {
    console.log(`  ${image} cannot be pulled (${firstLine(error)}): making a local stand-in`);
    return undefined;
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n').pop() ?? '';
}

/** Installs a Debian package when a command is missing and we may (root, apt-get). */
async function ensureCommand(command: string, debPackage: string): Promise<void> {
  if (which(command)) return;
  if (process.getuid?.() !== 0 || !which('apt-get')) {
    throw new Error(
      `${command} is missing: install ${debPackage} (sudo apt-get install ${debPackage})`,
    );
  }
  console.log(`  installing ${debPackage} with apt-get`);
  await run('apt-get', ['install', '-y', '-qq', debPackage], {
    timeoutMs: 300_000,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

function which(command: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/** Debian bookworm minbase as an image, from the cached tarball or a fresh debootstrap. */
async function localBase(): Promise<string> {
  if (await hasImage(LOCAL_BASE)) return LOCAL_BASE;
  if (!existsSync(ROOTFS_TAR)) {
    await ensureCommand('debootstrap', 'debootstrap');
    mkdirSync(CACHE_DIR, { recursive: true });
    const rootfs = mkdtempSync(join(tmpdir(), 'distilled-rootfs-'));
    try {
      console.log(`  debootstrap --variant=minbase bookworm (${MIRROR}), cached in ${ROOTFS_TAR}`);
      await run('debootstrap', ['--variant=minbase', 'bookworm', rootfs, MIRROR], {
        timeoutMs: 600_000,
      });
      // Package caches, indexes and docs are not needed at run time: ~200 MB down to ~80.
      for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists', 'usr/share/doc']) {
        await run('sh', ['-c', `rm -rf ${join(rootfs, dir)}/*`]);
      }
      for (const dir of ['usr/share/man', 'usr/share/locale', 'usr/share/info']) {
        rmSync(join(rootfs, dir), { recursive: true, force: true });
      }
      await run('tar', ['-C', rootfs, '-cf', `${ROOTFS_TAR}.part`, '.'], { timeoutMs: 120_000 });
      renameSync(`${ROOTFS_TAR}.part`, ROOTFS_TAR);
    } finally {
      rmSync(rootfs, { recursive: true, force: true });
    }
  }
  await docker(['import', ROOTFS_TAR, LOCAL_BASE], { timeoutMs: 120_000 });
  return LOCAL_BASE;
}

/** Builds `dockerfile` (in local-images/) as `tag` from a context holding `files`. */
async function buildLocal(tag: string, dockerfile: string, files: string[]): Promise<string> {
  const base = await localBase();
  const context = mkdtempSync(join(tmpdir(), 'distilled-image-'));
  try {
    for (const file of files) copyFileSync(file, join(context, basename(file)));
    await docker(
      ['build', '--quiet', '--network', 'none', '--build-arg', `BASE=${base}`, '-t', tag].concat([
        '-f',
        join(__dirname, 'local-images', dockerfile),
        context,
      ]),
      { timeoutMs: 180_000, env: { ...process.env, DOCKER_BUILDKIT: '0' } },
    );
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  return tag;
}

async function nodeImage(): Promise<string> {
  const image = await publicImage(PUBLIC_NODE_IMAGE);
  if (image) return image;
  const tag = `distilled-local/node:${process.versions.node}`;
  if (await hasImage(tag)) return tag;
  return buildLocal(tag, 'node.Dockerfile', [process.execPath]);
}

async function etcdImage(): Promise<string> {
  const image = await publicImage(PUBLIC_ETCD_IMAGE);
  if (image) return image;
  const etcd = which('etcd');
  if (!etcd)
    throw new Error('etcd is missing: install etcd-server (sudo apt-get install etcd-server)');
  const version = /etcd Version: (\S+)/.exec(
    execFileSync(etcd, ['--version'], { encoding: 'utf8' }),
  );
  const tag = `distilled-local/etcd:${version?.[1] ?? 'debian'}`;
  if (await hasImage(tag)) return tag;
  return buildLocal(tag, 'etcd.Dockerfile', [etcd, await etcdctl()]);
}

/** Debian's etcdctl: installed, or taken from the etcd-client package without installing it. */
async function etcdctl(): Promise<string> {
  const installed = which('etcdctl');
  if (installed) return installed;
  const dir = join(CACHE_DIR, 'etcd-client');
  const binary = join(dir, 'usr', 'bin', 'etcdctl');
  if (!existsSync(binary)) {
    mkdirSync(dir, { recursive: true });
    await run('apt-get', ['download', 'etcd-client'], { cwd: dir, timeoutMs: 120_000 });
    const deb = (await run('sh', ['-c', 'ls etcd-client_*.deb'], { cwd: dir })).trim();
    await run('dpkg-deb', ['-x', join(dir, deb), dir]);
  }
  return binary;
}

/** Newest modification time of the files under `dir` (specs aside), 0 when there are none. */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (!entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** dist/ as `npm run build` makes it, rebuilt when a source is newer (npm test builds first). */
async function ensureBuilt(): Promise<void> {
  const mains = ['server', 'api'].map((app) => join(ROOT, 'dist', 'apps', app, 'main.js'));
  const built = Math.min(...mains.map((m) => (existsSync(m) ? statSync(m).mtimeMs : 0)));
  const sources = Math.max(newestMtime(join(ROOT, 'apps')), newestMtime(join(ROOT, 'libs')));
  if (built >= sources) return;
  console.log('  dist/ is missing or older than the sources: npm run build');
  await run('npm', ['run', 'build'], { timeoutMs: 300_000 });
}

/** The runtime image from host-prepared dependencies and dist/ (Dockerfile target `prebuilt`). */
async function appImage(tag: string, node: string): Promise<string> {
  await ensureBuilt();
  const context = mkdtempSync(join(tmpdir(), 'distilled-context-'));
  try {
    for (const file of ['package.json', 'package-lock.json']) {
      copyFileSync(join(ROOT, file), join(context, file));
    }
    await run('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: context,
      timeoutMs: 300_000,
    });
    // Pruned here too (the image prunes again, finding nothing): half the files to send.
    await run('sh', [join(ROOT, 'docker', 'prune-node-modules.sh'), join(context, 'node_modules')]);
    cpSync(join(ROOT, 'dist'), join(context, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'docker'), join(context, 'docker'), { recursive: true });
    const danglingBefore = await dangling();
    await docker(
      ['build', '--quiet', '--network', 'none', '--target', 'prebuilt']
        .concat(['--build-arg', `NODE_IMAGE=${node}`, '-t', tag])
        .concat(['-f', join(ROOT, 'Dockerfile'), context]),
      { timeoutMs: 300_000, env: { ...process.env, DOCKER_BUILDKIT: '0' } },
    );
    // The classic builder leaves the prebuilt-deps stage behind as an untagged image.
    const left = (await dangling()).filter((id) => !danglingBefore.includes(id));
    if (left.length > 0) await docker(['image', 'rm', ...left]).catch(() => undefined);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  return tag;
}

async function dangling(): Promise<string[]> {
  const ids = await docker(['images', '--quiet', '--no-trunc', '--filter', 'dangling=true']);
  return ids.split('\n').filter(Boolean);
}

/** Logs how long a step of the image preparation took. */
async function timed<T>(what: string, body: () => Promise<T>): Promise<T> {
  const start = Date.now();
  const result = await body();
  console.log(`  ${what}: ${((Date.now() - start) / 1000).toFixed(1)} s`);
  return result;
}

export async function prepareImages(appTag: string): Promise<TestImages> {
  const node = await timed('node base image', nodeImage);
  const etcd = await timed('etcd image', etcdImage);
  const app = await timed(`${appTag} (Dockerfile target prebuilt)`, () => appImage(appTag, node));
  return { node, etcd, app };
}

/** `docker image ls` sizes of the images the test ran, for the log and the README. */
export async function imageSizes(images: TestImages): Promise<string> {
  const lines: string[] = [];
  for (const image of [images.app, images.node, images.etcd]) {
    const size = await docker(['image', 'inspect', '--format', '{{.Size}}', image]);
    lines.push(`  ${image}: ${(Number(size) / 1e6).toFixed(0)} MB`);
  }
  return lines.join('\n');
}
