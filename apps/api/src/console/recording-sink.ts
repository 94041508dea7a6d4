import type { SnapshotFrame, UpdateFrame } from '@distilled/console-frames';
import type { FrameSink } from './console-stream';

/** For specs: a FrameSink that keeps what is written and can be made slow (needing a drain). */
export class RecordingSink implements FrameSink {
  readonly written: string[] = [];
  writableNeedDrain = false;
  ended = false;

  write(chunk: string): boolean {
    this.written.push(chunk);
    return true;
  }

  end(): void {
    this.ended = true;
  }

  /** The SSE events written so far, decoded. */
  events(): Array<{ event: string; data: SnapshotFrame & UpdateFrame }> {
    return this.written.map((chunk) => {
      const [, event, data] = /^event: (\w+)\ndata: (.*)\n\n$/s.exec(chunk)!;
      return { event, data: JSON.parse(data) as SnapshotFrame & UpdateFrame };
    });
  }

  last(): SnapshotFrame & UpdateFrame {
    return this.events().at(-1)!.data;
  }
}
