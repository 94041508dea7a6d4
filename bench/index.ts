/**
 * Benchmark dispatcher: `npm run bench -- <name> [args...]`. Each benchmark is a module exporting
 * `run(args)`; add one by adding a line to BENCHMARKS. Benchmarks are not tests: they print
 * markdown for people to read.
 */
type Benchmark = (args: string[]) => Promise<void>;

const BENCHMARKS: Record<string, () => Promise<Benchmark>> = {
  'log-store': async () => (await import('./log-store')).run,
};

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const load = name ? BENCHMARKS[name] : undefined;
  if (!load) {
    console.error(`usage: npm run bench -- <${Object.keys(BENCHMARKS).join('|')}> [args]`);
    process.exit(2);
  }
  await (
    await load()
  )(args);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
