import * as fs from 'node:fs';
import { encodeBatch } from './record-batch';
import { scanBatches } from './batch-scan';
import { Segment } from './segment';
import { segmentFileName } from './segment-name';
import { tempDirs } from './test-support/temp-dir';

const batch = (baseOffset: number, n = 1, fill = 'x') =>
  encodeBatch({
    baseOffset,
    epoch: 1,
    timestamp: 0,
    producerId: 0,
    sequence: 0,
    messages: Array.from({ length: n }, () => Buffer.from(fill.repeat(20))),
  });

describe('Segment', () => {
  const dirs = tempDirs();
  afterEach(() => dirs.cleanup());

  async function written(count: number, base = 1000): Promise<Segment> {
    const segment = await Segment.create(dirs.make(), base, 128);
    const bufs: Buffer[] = [];
    let pos = 0;
    for (let i = 0; i < count; i++) {
      const b = batch(base + 2 * i, 2);
      segment.index.maybeAdd(2 * i, pos);
      bufs.push(b);
      pos += b.length;
    }
    await segment.write(bufs, 0);
    segment.size = pos;
    return segment;
  }

  it('segmentFileName pads to 20 digits', () => {
    expect(segmentFileName(42, '.log')).toBe('00000000000000000042.log');
    expect(segmentFileName(2 ** 53 - 1, '.index')).toBe('00009007199254740991.index');
  });

  it('findBatch locates the batch holding any offset, through the sparse index', async () => {
    const segment = await written(100);
    expect(segment.index.length).toBeGreaterThan(10);
    for (const offset of [1000, 1001, 1057, 1198, 1199]) {
      const found = segment.findBatch(offset, 64);
      expect(found.baseOffset).toBe(offset - (offset % 2));
      expect(found.count).toBe(2);
    }
    expect(() => segment.findBatch(1200, 64)).toThrow(/no batch holds offset 1200/);
    segment.close();
  });

  it('create refuses to overwrite an existing segment', async () => {
    const segment = await written(1);
    await expect(Segment.create(segment.dir, 1000, 128)).rejects.toThrow(/EEXIST/);
    segment.close();
  });

  it('recoverTail cuts a torn batch and rebuilds the index', async () => {
    const segment = await written(50);
    await segment.seal();
    const size = segment.size;
    segment.close();
    fs.appendFileSync(segment.logPath, batch(1100, 2).subarray(0, 30));
    fs.rmSync(segment.indexPath);
    const warn = jest.fn();
    const seen: number[] = [];
    const { segment: recovered, nextOffset } = await Segment.recoverTail(
      segment.dir,
      1000,
      128,
      { log: () => undefined, warn },
      (h) => seen.push(h.baseOffset),
    );
    expect(nextOffset).toBe(1100);
    expect(recovered.size).toBe(size);
    expect(fs.statSync(segment.logPath).size).toBe(size);
    expect(seen.length).toBe(50);
    expect(warn.mock.calls.join('\n')).toMatch(/cut 30 bytes.*incomplete/);
    expect(fs.readFileSync(recovered.indexPath).length).toBe(recovered.index.length * 8);
    recovered.close();
  });

  it('openSealed trusts a good index and rebuilds a bad one', async () => {
    const segment = await written(50);
    await segment.seal();
    const good = fs.readFileSync(segment.indexPath);
    segment.close();
    const warn = jest.fn();
    Segment.openSealed(segment.dir, 1000, 128, { log: () => undefined, warn }).close();
    expect(warn).not.toHaveBeenCalled();
    fs.writeFileSync(segment.indexPath, good.subarray(0, 8));
    Segment.openSealed(segment.dir, 1000, 128, { log: () => undefined, warn }).close();
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/rebuilt damaged index/));
    expect(fs.readFileSync(segment.indexPath).equals(good)).toBe(true);
  });

  it('scanBatches stops at an offset gap', async () => {
    const dir = dirs.make();
    const segment = await Segment.create(dir, 0, 128);
    await segment.write([batch(0), batch(1), batch(5)], 0);
    const fd = fs.openSync(segment.logPath, 'r');
    const result = scanBatches(fd, 0, fs.fstatSync(fd).size, 0, true, () => undefined);
    expect(result.nextOffset).toBe(2);
    expect(result.problem).toMatch(/has offset 5, expected 2/);
    fs.closeSync(fd);
    segment.close();
  });

  it('truncate cuts the file and the index at a batch boundary', async () => {
    const segment = await written(100);
    const found = segment.findBatch(1100, 64);
    await segment.truncate(found.position);
    expect(fs.statSync(segment.logPath).size).toBe(found.position);
    expect(segment.index.lastEntry()!.position).toBeLessThan(found.position);
    expect(segment.findBatch(1099, 64).baseOffset).toBe(1098);
    segment.close();
  });
});
