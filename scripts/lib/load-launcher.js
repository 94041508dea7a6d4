'use strict';
// libs/launcher is TypeScript; the CLI loads it from source through ts-node (a dev dependency,
// present after `npm ci`), so there is no separate build step for the CLI itself.
const path = require('node:path');
const { ROOT } = require('./paths');
const { fail } = require('./output');

let launcher;

function loadLauncher() {
  if (launcher) return launcher;
  let tsNode;
  let tsconfigPaths;
  try {
    tsNode = require('ts-node');
    tsconfigPaths = require('tsconfig-paths');
  } catch {
    fail('the CLI needs the dev dependencies (ts-node, tsconfig-paths): run `npm ci` in ' + ROOT);
  }
  // Type-checking is the build's and the tests' job; transpiling alone starts in a second.
  tsNode.register({ project: path.join(ROOT, 'tsconfig.json'), transpileOnly: true });
  const config = tsconfigPaths.loadConfig(ROOT);
  tsconfigPaths.register({ baseUrl: config.absoluteBaseUrl, paths: config.paths });
  launcher = require(path.join(ROOT, 'libs', 'launcher', 'src'));
  return launcher;
}

module.exports = { loadLauncher };
