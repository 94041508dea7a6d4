/**
 * Splits a child's stdout/stderr into lines and keeps the last `capacity` of them, so a test
 * that fails can show what the process said without holding a whole run's logs in memory.
 */
export class OutputBuffer {
  private readonly lines: string[] = [];
  private partial = '';

  constructor(
    private readonly capacity = 1000,
    private readonly onLine?: (line: string) => void,
  ) {}

  /** Feeds a chunk; complete lines are stored and passed to onLine. */
  write(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const part of parts) this.push(part.replace(/\r$/, ''));
  }

  /** Emits a trailing line that never got its newline (the process has exited). */
  flush(): void {
    if (this.partial) this.push(this.partial);
    this.partial = '';
  }

  /** The stored lines, oldest first. */
  snapshot(): string[] {
    return [...this.lines];
  }

  private push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
    this.onLine?.(line);
  }
}
