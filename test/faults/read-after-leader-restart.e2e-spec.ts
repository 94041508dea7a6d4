import { setTimeout as sleep } from 'node:timers/promises';
import { readThroughApi, writeOnce } from './clients';
import { FaultCluster } from './fault-cluster';
import { History, type WriteRecord } from './history';
import { waitApiReady } from './nemesis';

// Found by the fault suite (seed 7, 300 s): a leader SIGKILLed and restarted before another
// replica is elected comes back at the same address while the API still names it leader; it
// answers reads "not committed" (it does not know the high watermark yet), and the API takes
// that as the leader's final word and answers 404 for offsets acknowledged long before.
// The README's error table: 404 only for an offset not written yet; when no leader can confirm,
// 503.
const external = !!process.env.DISTILLED_E2E_URL;

(external ? describe.skip : describe)(
  'reads while a killed leader restarts before the election',
  () => {
    let cluster: FaultCluster | undefined;
    let failed = true;

    beforeAll(async () => {
      cluster = await FaultCluster.start({
        label: 'read-after-restart',
        replicas: 3,
        minInsync: 2,
      });
      await waitApiReady(cluster.apiUrl, 30_000);
    });
    afterAll(async () => {
      if (failed && cluster) process.stdout.write(`data and logs left in ${cluster.dataRoot}\n`);
      await cluster?.stop(failed);
    });

    it('never answers 404 for an acknowledged offset', async () => {
      const c = cluster!;
      const history = new History();
      for (let i = 0; i < 40; i++) history.writes.push(await writeOnce(c.apiUrl, `m-${i}`));
      const acked = history.writes.filter(
        (w): w is WriteRecord & { kind: 'acked' } => w.kind === 'acked',
      );
      expect(acked).toHaveLength(40);

      const leader = await c.local.waitForLeader(20_000);
      await leader.kill('SIGKILL');
      await leader.start(); // back well within the 2 s lease of its old election key
      const wrong: string[] = [];
      let sample = '';
      const until = Date.now() + 4_000;
      while (Date.now() < until) {
        await Promise.all(
          acked.slice(0, 20).map(async (w) => {
            const got = await readThroughApi(c.apiUrl, w.offset);
            // undefined = 503 or no answer: allowed while there is no leader.
            if (got !== undefined && got !== w.message) {
              wrong.push(`offset ${w.offset}: ${JSON.stringify(got)}`);
              if (!sample) {
                // The answer itself, for the report (the API picks a replica at random).
                for (let i = 0; i < 20 && !sample.startsWith('404'); i++) {
                  const res = await fetch(`${c.apiUrl}/Data?offset=${w.offset}`);
                  sample = `${res.status} ${await res.text()}`;
                }
              }
            }
          }),
        );
        await sleep(20);
      }
      process.stdout.write(
        `read-after-restart: ${wrong.length} wrong answers for acknowledged offsets (${wrong.slice(0, 3).join('; ')}); e.g. ${sample}\n`,
      );
      expect(wrong.slice(0, 10)).toEqual([]);
      failed = false;
    });
  },
);
