/**
 * `npm run test:faults [-- --seconds 600 --seed 42 --writers 8 --kinds kill-leader,partition
 * --overlap]`: the randomized fault suite alone, longer than its default in `npm run test:e2e`.
 * Flags become the DISTILLED_FAULTS_* variables the suite reads (set them directly if you
 * prefer); without --seconds it runs for 300 s.
 */
import { spawnSync } from 'node:child_process';
import { FlagError, Flags } from '@distilled/common';
import { repoRoot } from '@distilled/launcher';
import { FAULT_KINDS } from './history';

const FLAGS = {
  seconds: { type: 'string' },
  seed: { type: 'string' },
  writers: { type: 'string' },
  followers: { type: 'string' },
  'range-readers': { type: 'string' },
  kinds: { type: 'string' },
  'api-reads': { type: 'string' },
  overlap: { type: 'boolean' },
  'retention-bytes': { type: 'string' },
} as const;

/** The suite's variables from the flags; the environment's own are kept where no flag is given. */
function faultEnv(argv: string[]): NodeJS.ProcessEnv {
  const flags = Flags.parse(argv, FLAGS);
  const env = { ...process.env };
  const set = (name: string, value: number | string | undefined): void => {
    if (value !== undefined) env[`DISTILLED_FAULTS_${name}`] = String(value);
  };
  env.DISTILLED_FAULTS_SECONDS ??= '300';
  if (flags.has('seconds')) set('SECONDS', flags.integer('seconds', 0, 1));
  if (flags.has('seed')) set('SEED', flags.integer('seed', 0));
  if (flags.has('writers')) set('WRITERS', flags.integer('writers', 0, 1));
  if (flags.has('followers')) set('FOLLOWERS', flags.integer('followers', 0));
  if (flags.has('range-readers')) set('RANGE_READERS', flags.integer('range-readers', 0));
  if (flags.has('api-reads')) set('API_READS', flags.integer('api-reads', 0));
  const kinds = flags.list('kinds', []);
  const unknown = kinds.filter((kind) => !(FAULT_KINDS as string[]).includes(kind));
  if (unknown.length) {
    throw new FlagError(`--kinds: unknown fault kind "${unknown[0]}" (${FAULT_KINDS.join(', ')})`);
  }
  if (kinds.length) set('KINDS', kinds.join(','));
  if (flags.has('overlap')) set('OVERLAP', '1');
  if (flags.has('retention-bytes')) set('RETENTION_BYTES', flags.integer('retention-bytes', 0, 1));
  return env;
}

function main(): number {
  let env: NodeJS.ProcessEnv;
  try {
    env = faultEnv(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    process.stderr.write(
      `${error.message}\nflags: ${Object.keys(FLAGS)
        .map((f) => `--${f}`)
        .join(' ')}\n`,
    );
    return 2;
  }
  const root = repoRoot();
  const jest = require.resolve('jest/bin/jest', { paths: [root] });
  const result = spawnSync(
    process.execPath,
    [jest, '--config', 'test/jest-e2e.config.js', '--runInBand', 'test/faults.e2e-spec.ts'],
    { cwd: root, env, stdio: 'inherit' },
  );
  return result.status ?? 1;
}

process.exit(main());
