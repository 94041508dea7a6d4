'use strict';
// Where things are, resolved from this file so the CLI works from any working directory.
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

module.exports = {
  ROOT,
  DEFAULT_DATA: path.join(ROOT, 'data'),
  SERVER_SCRIPT: path.join(ROOT, 'dist', 'apps', 'server', 'main.js'),
  API_SCRIPT: path.join(ROOT, 'dist', 'apps', 'api', 'main.js'),
};
