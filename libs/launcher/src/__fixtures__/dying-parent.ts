// Starts a replica (the fake app) and exits without stopping it, as a crashing test runner
// would; the launcher's process-exit hook must take the child down too.
import { join } from 'node:path';
import { ReplicaProcess } from '../replica-process';

const replica = new ReplicaProcess({
  id: 'orphan',
  etcd: 'http://127.0.0.1:1',
  cluster: 'spec',
  dataDir: process.argv[2],
  script: join(__dirname, 'fake-app.js'),
});
void replica.start().then(() => {
  console.log(`child ${replica.pid}`);
  process.exit(1);
});
