// A launcher about to be SIGKILLed, as a test runner killed by a CI timeout would be: starts a
// LocalCluster with a real etcd (fake-app replicas and API) plus, as a control, a process the
// launcher did not start, prints their PIDs and waits. The spec kills it and watches who dies.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { LocalCluster } from '../local-cluster';

const FAKE = join(__dirname, 'fake-app.js');

void LocalCluster.start({
  replicas: 2,
  dataRoot: process.argv[2],
  serverScript: FAKE,
  apiScript: FAKE,
}).then((cluster) => {
  const control = spawn('sleep', ['120'], { detached: true, stdio: 'ignore' });
  const launched = [cluster.etcd?.pid, ...cluster.replicas.map((r) => r.pid), cluster.api?.pid];
  console.log(`pids ${JSON.stringify({ launched, control: control.pid })}`);
  // Keeps running until killed.
  setInterval(() => undefined, 60_000);
});
