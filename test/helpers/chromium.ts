// The one way the browser suites (Swagger UI, console, stream, API keys) start Chromium: the
// system's build (Debian's /usr/bin/chromium, or CHROMIUM_PATH) driven by playwright-core, with
// no sandbox (CI containers) and nothing that talks to the network on its own. It needs no
// parent-death wrapper like the launcher's processes: playwright drives it over a pipe, and
// Chromium shuts down when the pipe closes, as it does when the test process dies however it
// dies (test/chromium.e2e-spec.ts SIGKILLs one to prove it).
import { chromium, type Browser } from 'playwright-core';

const QUIET_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: QUIET_FLAGS,
  });
}
