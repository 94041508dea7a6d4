// Run as its own process by chromium.e2e-spec.ts: launches Chromium the way the browser suites
// do, says so, and waits to be SIGKILLed, as a Jest process killed by a CI timeout would be.
import { launchChromium } from './chromium';

void launchChromium().then(() => {
  console.log('chromium ready');
  setInterval(() => undefined, 60_000);
});
