/**
 * Benchmark dispatcher: `npm run bench -- <name> [args...]`; no name (or only flags) runs
 * `suite`. Each benchmark is a module exporting `run(args)`; add one by adding a line to
 * BENCHMARKS. Benchmarks are not tests: they print markdown for people to read.
 */
type Benchmark = (args: string[]) => Promise<void>;

const BENCHMARKS: Record<string, () => Promise<Benchmark>> = {
  suite: async () => (await import('./suite')).run,
  memory: async () => (await import('./memory')).run,
  readers: async () => (await import('./readers')).run,
  'log-store': async () => (await import('./log-store')).run,
  api: async () => (await import('./api-alone')).run,
  replication: async () => (await import('./replication')).run,
  profile: async () => (await import('./lib/profile')).run,
  failover: async () => (await import('./peers/failover')).run,
  'idempotency-keys': async () => (await import('./idempotency-keys')).run,
  retention: async () => (await import('./retention-disk')).run,
  'batch-cycle': async () => (await import('./batch-cycle')).run,
  'fetch-frames': async () => (await import('./fetch-frames')).run,
  'keyed-cycle': async () => (await import('./keyed-cycle')).run,
  'batch-api': async () => (await import('./batch-api-inprocess')).run,
  'at-once': async () => (await import('./at-once')).run,
};

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  // No name (or only flags): the HTTP + gRPC suite.
  const [name, ...args] = !argv[0] || argv[0].startsWith('--') ? ['suite', ...argv] : argv;
  const load = BENCHMARKS[name];
  if (!load) {
    console.error(`usage: npm run bench -- <${Object.keys(BENCHMARKS).join('|')}> [args]`);
    process.exit(2);
  }
  await (
    await load()
  )(args);
  // Client sockets and child pipes may linger for a moment; the results are out, so leave.
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
