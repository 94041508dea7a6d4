'use strict';
/**
 * `node --cpu-prof` for Node versions that refuse it in NODE_OPTIONS (Node 20 does): starts the
 * V8 sampling profiler through the in-process inspector, runs the script named by
 * DISTILLED_BENCH_SCRIPT, and writes the profile when the process exits or signals itself (a
 * graceful stop; a SIGKILL loses it) to DISTILLED_BENCH_PROFILE_DIR, named like --cpu-prof names its files:
 * CPU.<date>.<time>.<pid>.0.001.cpuprofile. Touching DISTILLED_BENCH_PROFILE_RESET discards what
 * was sampled so far and starts over (writing "save <name>" into it keeps that part first, as
<name>.<pid>.cpuprofile). The suite uses it for `--profile`.
 */
const fs = require('node:fs');
const path = require('node:path');
const inspector = require('node:inspector');

const script = process.env.DISTILLED_BENCH_SCRIPT;
const dir = process.env.DISTILLED_BENCH_PROFILE_DIR;
if (!script || !dir) {
  console.error(
    'cpu-prof-wrapper: DISTILLED_BENCH_SCRIPT and DISTILLED_BENCH_PROFILE_DIR must be set',
  );
  process.exit(9);
}

const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', {
  interval: Number(process.env.DISTILLED_BENCH_PROFILE_INTERVAL_US || 1000),
});
session.post('Profiler.start');

// Touching the file DISTILLED_BENCH_PROFILE_RESET restarts the profile, so the suite can leave
// start-up out of it. (Not a signal: Nest's default shutdown hooks treat SIGUSR2 as "stop".)
const resetFile = process.env.DISTILLED_BENCH_PROFILE_RESET;
if (resetFile) {
  const mtime = () => {
    try {
      return fs.statSync(resetFile).mtimeMs;
    } catch {
      return 0;
    }
  };
  let seen = mtime();
  setInterval(() => {
    const now = mtime();
    if (now === seen) return;
    seen = now;
    // "save <name>" in the file keeps what was sampled as <name>.<pid>.cpuprofile first
    // (keyed-cycle profiles each of its windows); anything else discards it.
    let save = '';
    try {
      save = /^save (\S+)/.exec(fs.readFileSync(resetFile, 'utf8'))?.[1] ?? '';
    } catch {
      // removed meanwhile: a plain reset
    }
    // Start again only after the old profile's serialisation, or it would be sampled too.
    session.post('Profiler.stop', (error, result) => {
      if (save && !error) {
        fs.writeFileSync(
          path.join(dir, `${save}.${process.pid}.cpuprofile`),
          JSON.stringify(result.profile),
        );
      }
      setImmediate(() => session.post('Profiler.start'));
    });
  }, 100).unref();
}

let written = false;
function writeProfile() {
  if (written) return;
  written = true;
  // In-process inspector sessions answer synchronously, so this works inside 'exit'.
  session.post('Profiler.stop', (error, result) => {
    if (error) {
      console.error('cpu-prof-wrapper: ' + error.message);
      return;
    }
    const now = new Date();
    const pad = (n) => String(n).padStart(2, '0');
    const date = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}`;
    const time = `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, `CPU.${date}.${time}.${process.pid}.0.001.cpuprofile`),
      JSON.stringify(result.profile),
    );
  });
}
process.on('exit', writeProfile);
// Nest's shutdown hooks end by re-raising the signal on the process itself (process.kill(pid,
// 'SIGTERM') with no listener left), which ends it without an 'exit' event: write first.
const kill = process.kill.bind(process);
process.kill = (pid, signal) => {
  if (pid === process.pid) writeProfile();
  return kill(pid, signal);
};

require(path.resolve(script));
