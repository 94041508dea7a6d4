/**
 * Child process for log.crash.spec.ts: appends forever to the log in argv[2] with fsync
 * `always`, from several concurrent appenders, and prints `<offset> <tag>` for every message
 * whose append resolved. The spec SIGKILLs it and checks every printed line against the log.
 */
import { Log } from '../log';

async function main(): Promise<void> {
  const dir = process.argv[2];
  const round = process.argv[3] ?? '0';
  const log = await Log.open({ dir, segmentBytes: 64 * 1024, fsync: 'always' });
  process.stdout.write(`ready ${log.logEndOffset}\n`);
  let next = 0;
  const appender = async (): Promise<never> => {
    for (;;) {
      const id = next++;
      const n = (id % 3) + 1;
      const tags = Array.from({ length: n }, (_, j) => `r${round}-${id}-${j}`);
      const r = await log.append(
        tags.map((t) => Buffer.from(t)),
        1,
      );
      process.stdout.write(tags.map((t, j) => `${r.baseOffset + j} ${t}\n`).join(''));
    }
  };
  await Promise.all(Array.from({ length: 8 }, appender));
}

main().catch((err) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
