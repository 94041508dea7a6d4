// What the person at the terminal sees: prefixed, coloured process logs and loud warnings.

export const useColor = (): boolean => !!process.stdout.isTTY && !process.env.NO_COLOR;

const CODES = {
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  gray: 90,
  bold: 1,
} as const;
type Color = keyof typeof CODES;

export const paint = (color: Color, text: string): string =>
  useColor() ? `\x1b[${CODES[color]}m${text}\x1b[0m` : text;

// Each process keeps its colour for the whole run; etcd and the API get fixed ones.
const PALETTE: Color[] = ['cyan', 'green', 'magenta', 'blue', 'yellow'];
const assigned = new Map<string, Color>([
  ['etcd', 'gray'],
  ['api', 'bold'],
]);
function colorOf(source: string): Color {
  let color = assigned.get(source);
  if (!color) {
    const n = Number(/(\d+)$/.exec(source)?.[1] ?? assigned.size);
    color = PALETTE[(n - 1 + PALETTE.length) % PALETTE.length];
    assigned.set(source, color);
  }
  return color;
}

/** Prints one line of a child's output as "[replica-1] ...". */
export function prefixed(source: string, line: string): void {
  const tag = `[${source}]`.padEnd(12);
  process.stdout.write(`${paint(colorOf(source), tag)} ${line}\n`);
}

export function info(message: string): void {
  process.stdout.write(`${paint('bold', '[distilled]'.padEnd(12))} ${message}\n`);
}

export function warn(message: string): void {
  process.stderr.write(
    `${paint('yellow', '[distilled]'.padEnd(12))} ${paint('yellow', message)}\n`,
  );
}

/** For the things that must not scroll by unnoticed: a crash. */
export function alarm(message: string): void {
  const bar = paint('red', '!'.repeat(72));
  process.stderr.write(`${bar}\n${paint('red', message)}\n${bar}\n`);
}

export function fail(message: string): never {
  process.stderr.write(`${paint('red', 'error:')} ${message}\n`);
  process.exit(1);
}
