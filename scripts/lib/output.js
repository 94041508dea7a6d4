'use strict';
// What the person at the terminal sees: prefixed, coloured process logs and loud warnings.

const useColor = () => !!process.stdout.isTTY && !process.env.NO_COLOR;

const CODES = {
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  gray: 90,
  bold: 1,
};
const paint = (color, text) => (useColor() ? `\x1b[${CODES[color]}m${text}\x1b[0m` : text);

// Each process keeps its colour for the whole run; etcd and the API get fixed ones.
const PALETTE = ['cyan', 'green', 'magenta', 'blue', 'yellow'];
const assigned = new Map([
  ['etcd', 'gray'],
  ['api', 'bold'],
]);
function colorOf(source) {
  if (!assigned.has(source)) {
    const n = Number(/(\d+)$/.exec(source)?.[1] ?? assigned.size);
    assigned.set(source, PALETTE[(n - 1 + PALETTE.length) % PALETTE.length]);
  }
  return assigned.get(source);
}

/** Prints one line of a child's output as "[replica-1] ...". */
function prefixed(source, line) {
  const tag = `[${source}]`.padEnd(12);
  process.stdout.write(`${paint(colorOf(source), tag)} ${line}\n`);
}

function info(message) {
  process.stdout.write(`${paint('bold', '[distilled]'.padEnd(12))} ${message}\n`);
}

function warn(message) {
  process.stderr.write(
    `${paint('yellow', '[distilled]'.padEnd(12))} ${paint('yellow', message)}\n`,
  );
}

/** For the things that must not scroll by unnoticed: a crash. */
function alarm(message) {
  const bar = paint('red', '!'.repeat(72));
  process.stderr.write(`${bar}\n${paint('red', message)}\n${bar}\n`);
}

function fail(message) {
  process.stderr.write(`${paint('red', 'error:')} ${message}\n`);
  process.exit(1);
}

module.exports = { paint, prefixed, info, warn, alarm, fail, useColor };
