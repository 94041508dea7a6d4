'use strict';
// data/cluster.json: how commands in other terminals find the cluster `distilled start` runs
// (its control address, the API URL, every process and port). Written by the start process
// after every change, removed when it stops.
const fs = require('node:fs');
const path = require('node:path');

const stateFile = (dataDir) => path.join(dataDir, 'cluster.json');

function writeState(dataDir, state) {
  const file = stateFile(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  fs.renameSync(tmp, file); // atomic: a reader never sees half a file
}

function readState(dataDir) {
  try {
    return JSON.parse(fs.readFileSync(stateFile(dataDir), 'utf8'));
  } catch {
    return undefined;
  }
}

function removeState(dataDir) {
  fs.rmSync(stateFile(dataDir), { force: true });
}

function isAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** The state of the running cluster in `dataDir`, or undefined (a stale file is ignored). */
function runningCluster(dataDir) {
  const state = readState(dataDir);
  return state && isAlive(state.pid) ? state : undefined;
}

module.exports = { stateFile, writeState, readState, removeState, runningCluster, isAlive };
