import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snapshotBuild } from './build-snapshot';

describe('snapshotBuild', () => {
  let dist: string;

  beforeEach(() => {
    dist = mkdtempSync(join(tmpdir(), 'distilled-dist-'));
    for (const app of ['server', 'api']) {
      mkdirSync(join(dist, app, 'proto'), { recursive: true });
      writeFileSync(join(dist, app, 'main.js'), `// ${app}`);
      writeFileSync(join(dist, app, 'proto', 'x.proto'), 'syntax = "proto3";');
    }
  });
  afterEach(() => rmSync(dist, { recursive: true, force: true }));

  it('copies both apps with their assets, and survives the original being deleted', () => {
    const snapshot = snapshotBuild({ distDir: dist, label: 'spec' });
    try {
      rmSync(dist, { recursive: true, force: true });
      expect(readFileSync(snapshot.serverScript, 'utf8')).toBe('// server');
      expect(readFileSync(snapshot.apiScript, 'utf8')).toBe('// api');
      expect(existsSync(join(snapshot.dir, 'api', 'proto', 'x.proto'))).toBe(true);
    } finally {
      snapshot.remove();
    }
    expect(existsSync(snapshot.dir)).toBe(false);
  });

  it('says to build first when an app is missing', () => {
    rmSync(join(dist, 'api', 'main.js'));
    expect(() => snapshotBuild({ distDir: dist })).toThrow(/npm run build/);
  });
});
