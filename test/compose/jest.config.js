// The Docker-driven fault suite (test/compose/*.compose-spec.ts): it needs the compose project
// that test/compose/run.ts starts, so it runs only from `npm run test:compose`.
const e2e = require('../jest-e2e.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...e2e,
  rootDir: '../..',
  roots: ['<rootDir>/test/compose'],
  testRegex: '.*\\.compose-spec\\.ts$',
  testPathIgnorePatterns: [],
};
