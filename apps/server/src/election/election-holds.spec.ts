import type { Election } from '@distilled/cluster';
import { ElectionHolds } from './election-holds';

describe('ElectionHolds', () => {
  const setup = () => {
    const setEligible = jest.fn(async (_eligible: boolean, _reason: string) => undefined);
    const holds = new ElectionHolds({ setEligible } as unknown as Election);
    return { setEligible, repair: holds.holder('repair'), disk: holds.holder('disk') };
  };

  it('a hold and its release pass straight through when nobody else holds the replica', async () => {
    const { setEligible, repair } = setup();
    await repair.setEligible(false, 'log lacks 5..9');
    await repair.setEligible(true, 'caught up');
    expect(setEligible.mock.calls).toEqual([
      [false, 'log lacks 5..9'],
      [true, 'caught up'],
    ]);
  });

  it('the replica stands again only when the last hold is released', async () => {
    const { setEligible, repair, disk } = setup();
    await disk.setEligible(false, 'disk full');
    await repair.setEligible(false, 'log lacks 5..9');
    await repair.setEligible(true, 'caught up');
    expect(setEligible).not.toHaveBeenCalledWith(true, expect.anything());
    await disk.setEligible(true, 'room again');
    expect(setEligible).toHaveBeenLastCalledWith(true, 'room again');
    expect(setEligible).toHaveBeenCalledTimes(3);
  });

  it('releasing without a hold (a cut that found nothing to wait for) still lets it stand', async () => {
    const { setEligible, repair } = setup();
    await repair.setEligible(true, 'the corrupt uncommitted batch is cut');
    expect(setEligible).toHaveBeenCalledWith(true, 'the corrupt uncommitted batch is cut');
  });
});
