// Unit and integration specs that sit beside the code (`*.spec.ts`). Integration specs start a
// real etcd on a free port; none of them needs the build.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  roots: ['<rootDir>/apps', '<rootDir>/libs'],
  testRegex: '.*\\.spec\\.ts$',
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testEnvironment: 'node',
  moduleNameMapper: {
    '^@distilled/(log-store|cluster|proto|launcher|common|config|console-frames)(|/.*)$': '<rootDir>/libs/$1/src$2',
  },
  testTimeout: 30000,
};
