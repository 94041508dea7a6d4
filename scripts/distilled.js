#!/usr/bin/env node
'use strict';
// `distilled` (npm start, npx distilled, node scripts/distilled.js): runs the CLI in apps/cli
// from its TypeScript source through ts-node, so it works straight after `npm ci`, without a
// build of its own, from any working directory.
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
let tsNode;
let tsconfigPaths;
try {
  tsNode = require('ts-node');
  tsconfigPaths = require('tsconfig-paths');
} catch {
  process.stderr.write(
    `error: the CLI needs the dev dependencies (ts-node, tsconfig-paths): run \`npm ci\` in ${ROOT}\n`,
  );
  process.exit(1);
}
// Type-checking is the build's and the tests' job; transpiling alone starts in a second.
tsNode.register({ project: path.join(ROOT, 'tsconfig.json'), transpileOnly: true });
const config = tsconfigPaths.loadConfig(ROOT);
tsconfigPaths.register({ baseUrl: config.absoluteBaseUrl, paths: config.paths });
require(path.join(ROOT, 'apps', 'cli', 'src', 'main.ts'));
