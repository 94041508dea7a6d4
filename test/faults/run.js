#!/usr/bin/env node
// `npm run test:faults [-- --seconds 600 --seed 42 --writers 8 --kinds kill-leader,partition --overlap]`:
// the randomized fault suite alone, longer than its default in `npm run test:e2e`. Flags
// become the DISTILLED_FAULTS_* variables the suite reads (set them directly if you prefer);
// without --seconds it runs for 300 s.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const flags = {
  seconds: 'SECONDS',
  seed: 'SEED',
  writers: 'WRITERS',
  followers: 'FOLLOWERS',
  kinds: 'KINDS',
  'api-reads': 'API_READS',
  overlap: 'OVERLAP',
};
const env = { ...process.env };
env.DISTILLED_FAULTS_SECONDS ??= '300';
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const match = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i]);
  const name = match && flags[match[1]];
  if (!name) {
    console.error(
      `unknown argument "${args[i]}"; flags: ${Object.keys(flags)
        .map((f) => `--${f}`)
        .join(' ')}`,
    );
    process.exit(2);
  }
  env[`DISTILLED_FAULTS_${name}`] =
    name === 'OVERLAP' ? (match[2] ?? '1') : (match[2] ?? args[++i]);
}
const root = path.resolve(__dirname, '../..');
const jest = require.resolve('jest/bin/jest', { paths: [root] });
const result = spawnSync(
  process.execPath,
  [jest, '--config', 'test/jest-e2e.config.js', '--runInBand', 'test/faults.e2e-spec.ts'],
  { cwd: root, env, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
