// End-to-end suites: a real etcd, replicas and the API as child processes built to dist/.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: '..',
  roots: ['<rootDir>/test'],
  testRegex: '.*\\.e2e-spec\\.ts$',
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
  testEnvironment: 'node',
  moduleNameMapper: {
    '^@distilled/(log-store|cluster|proto|launcher)(|/.*)$': '<rootDir>/libs/$1/src$2',
  },
  testTimeout: 120000,
};
