import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PROTO_LOADER_OPTIONS } from './proto-path';

const ROOT = join(__dirname, '..', '..', '..');
const COMMITTED = join(__dirname, 'generated');
const OUT_FLAG = '-O libs/proto/src/generated';

/** The proto:gen command from package.json, split into arguments (none of them is quoted). */
function generatorArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const script = pkg.scripts['proto:gen'];
  expect(script).toContain(OUT_FLAG);
  const [command, ...args] = script.split(/\s+/);
  expect(command).toBe('proto-loader-gen-types');
  return args;
}

function files(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    found.set(relative(dir, path), readFileSync(path, 'utf8'));
  }
  return found;
}

describe('generated distilled.v1 types', () => {
  it('are generated with the options the loader uses at run time', () => {
    const args = generatorArgs();
    // Each PROTO_LOADER_OPTIONS entry has its flag: types and loaded objects must agree.
    expect(PROTO_LOADER_OPTIONS).toEqual({
      keepCase: true,
      longs: Number,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    expect(args).toEqual(
      expect.arrayContaining([
        '--keepCase',
        '--longs=Number',
        '--enums=String',
        '--defaults',
        '--oneofs',
      ]),
    );
  });

  it('match the .proto: the committed output is what `npm run proto:gen` makes now', () => {
    const out = mkdtempSync(join(tmpdir(), 'distilled-proto-gen-'));
    try {
      const args = generatorArgs().join(' ').replace(OUT_FLAG, `-O ${out}`).split(' ');
      execFileSync(join(ROOT, 'node_modules', '.bin', 'proto-loader-gen-types'), args, {
        cwd: ROOT,
        stdio: 'pipe',
      });
      const fresh = files(out);
      const committed = files(COMMITTED);
      expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
      for (const [path, text] of fresh) {
        // A mismatch here: run `npm run proto:gen` and commit libs/proto/src/generated.
        expect({ path, text: committed.get(path) }).toEqual({ path, text });
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
