/** Tiny `--name value` / `--flag` parser for the benchmarks (no dependency). */
export class Args {
  constructor(private readonly argv: string[]) {}

  has(name: string): boolean {
    return this.argv.includes(`--${name}`);
  }

  string(name: string, fallback: string): string {
    const i = this.argv.indexOf(`--${name}`);
    if (i < 0) return fallback;
    const value = this.argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
    return value;
  }

  number(name: string, fallback: number): number {
    const raw = this.string(name, String(fallback));
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name}: not a number: ${raw}`);
    return value;
  }

  /** Comma-separated list; sizes accept a k/KiB/m suffix (1k = 1024). */
  list(name: string, fallback: number[]): number[] {
    if (!this.has(name)) return fallback;
    return this.string(name, '')
      .split(',')
      .filter(Boolean)
      .map((item) => parseSize(item, name));
  }
}

export function parseSize(raw: string, name = 'value'): number {
  const match = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib)?$/i.exec(raw.trim());
  if (!match) throw new Error(`--${name}: cannot read ${JSON.stringify(raw)}`);
  const unit = (match[2] ?? 'b').toLowerCase();
  const factor = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1;
  return Math.round(Number(match[1]) * factor);
}
