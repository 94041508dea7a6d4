// End-to-end suites: a real etcd, replicas and the API as child processes built to dist/.
// With DISTILLED_E2E_URL (an already running cluster, e.g. docker-compose) only the suites
// that need no process control run: the others kill, pause and restart processes.
const external = !!process.env.DISTILLED_E2E_URL;
const needProcessControl = [
  'scale-out',
  'failover',
  'follower-faults',
  'restart',
  'replication',
  'api',
  'faults',
  'corruption',
  'wiped-replica',
  'console',
  'stream',
  'stream-browser',
  'api-keys', // starts its own API with a keys file
  'rate-limit', // its own API with keys and a rate limit
  'writes',
  'retention', // small segments and retention limits of its own
  'faults-retention',
  'faults-tls', // TLS on, with a throwaway CA
  'faults/fault-cluster', // mounts tmpfs data directories
  'tls', // its own cluster with a throwaway CA
  'disk-full', // mounts tmpfs data directories for its replicas
];

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '..',
  roots: ['<rootDir>/test'],
  testRegex: '.*\\.e2e-spec\\.ts$',
  testPathIgnorePatterns: external
    ? needProcessControl.map((name) => `/test/${name}\\.e2e-spec\\.ts$`)
    : [],
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testEnvironment: 'node',
  moduleNameMapper: {
    '^@distilled/(log-store|cluster|proto|launcher|common|config|console-frames)(|/.*)$':
      '<rootDir>/libs/$1/src$2',
  },
  testTimeout: 180000,
};
