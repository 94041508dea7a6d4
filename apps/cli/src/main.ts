// The distilled command line: run a whole cluster on this machine and poke at it. Run from
// source (scripts/distilled.js registers ts-node), so it works straight after `npm ci`.
import { FlagError, Flags, describeError } from '@distilled/common';
import { CLI_FLAGS, readCliOptions, type CliOptions } from './cli-options';
import { helpText } from './help';
import { fail } from './output';

const HINT = 'Run `distilled --help` for the commands and options.';

function parse(argv: string[]): Flags<keyof typeof CLI_FLAGS> {
  try {
    return Flags.parse(argv, CLI_FLAGS, { positionals: true });
  } catch (error) {
    return fail(`${describeError(error)}\n${HINT}`);
  }
}

function options(flags: Flags<keyof typeof CLI_FLAGS>): CliOptions {
  try {
    return readCliOptions(flags);
  } catch (error) {
    if (error instanceof FlagError) fail(error.message);
    throw error;
  }
}

async function main(argv: string[]): Promise<void> {
  const flags = parse(argv);
  const [command, ...rest] = flags.positionals;
  if (flags.has('help') || !command || command === 'help') {
    process.stdout.write(helpText());
    return;
  }
  const opts = options(flags);
  // Each command loads only what it needs: `status` and `start` bring gRPC and the launcher.
  switch (command) {
    case 'start':
      return (await import('./start/start')).start(opts);
    case 'stop':
      return (await import('./cluster-control')).stop(opts);
    case 'add-replica':
      return (await import('./cluster-control')).addReplica(opts);
    case 'stop-replica':
      return (await import('./cluster-control')).replicaAction(opts, 'stop', rest[0]);
    case 'kill-replica':
      return (await import('./cluster-control')).replicaAction(opts, 'kill', rest[0]);
    case 'restart-replica':
      return (await import('./cluster-control')).replicaAction(opts, 'restart', rest[0]);
    case 'status':
      return (await import('./status')).status(opts);
    case 'produce':
      return (await import('./data-commands')).produce(opts, rest);
    case 'consume':
      return (await import('./data-commands')).consume(opts);
    default:
      fail(`unknown command "${command}". Run \`distilled --help\` for the list.`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) =>
  fail(error instanceof Error ? (error.stack ?? error.message) : String(error)),
);
