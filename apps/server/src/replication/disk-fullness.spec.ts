import { DiskFullness } from './disk-fullness';

describe('DiskFullness', () => {
  it('reports the start and the end of an episode once, however many writes meet it', () => {
    let now = 1000;
    const disk = new DiskFullness(() => now);
    const changes: boolean[] = [];
    disk.onChange((full) => changes.push(full));
    expect(disk.refused('ENOSPC on /d')).toBe(true);
    expect(disk.refused('ENOSPC again')).toBe(false);
    expect(disk.full).toBe(true);
    expect(disk.since).toBe(1000);
    expect(disk.cause).toBe('ENOSPC on /d');
    now = 3500;
    expect(disk.wrote('a probe got through')).toBe(true);
    expect(disk.wrote()).toBe(false);
    expect(changes).toEqual([true, false]);
    expect(disk.lastEpisode).toEqual({ ms: 2500, endedBy: 'a probe got through' });
    expect(disk.episodes).toBe(1);
  });

  it('a write while the disk has room changes nothing', () => {
    const disk = new DiskFullness();
    const listener = jest.fn();
    disk.onChange(listener);
    expect(disk.wrote()).toBe(false);
    expect(listener).not.toHaveBeenCalled();
    expect(disk.full).toBe(false);
  });

  it('a refusal of a write that began before another got through opens no episode', () => {
    const disk = new DiskFullness();
    expect(disk.refused('ENOSPC')).toBe(true);
    const startedWhileFull = disk.writesSeen;
    expect(disk.wrote('a probe got through')).toBe(true);
    // That write met the full disk before the space came back; its answer only arrives now.
    expect(disk.refused('ENOSPC, late', startedWhileFull)).toBe(false);
    expect(disk.full).toBe(false);
    // A write begun after the space came back that is refused: the disk is full again.
    expect(disk.refused('ENOSPC, new', disk.writesSeen)).toBe(true);
    expect(disk.episodes).toBe(2);
  });
});
