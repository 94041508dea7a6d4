import { Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { LogStoreError } from './errors';
import { Log } from './log';
import { LOG_RETENTION, type LogRetention } from './log-retention.interface';
import { LOG_STORE, LogStore } from './log-store.interface';
import { LogStoreModule } from './log-store.module';
import { REPLICA_METADATA, type ReplicaMetadata } from './replica-metadata';
import { tempDirs } from './test-support/temp-dir';

@Injectable()
class NeedsLog {
  constructor(@Inject(LOG_STORE) readonly log: LogStore) {}
}

describe('LogStoreModule', () => {
  const dirs = tempDirs();
  afterEach(() => dirs.cleanup());

  describe('register', () => {
    it('provides an opened Log under LOG_STORE and closes it on shutdown', async () => {
      const dir = dirs.make();
      @Module({
        imports: [LogStoreModule.register({ dir, segmentBytes: 4096 })],
        providers: [NeedsLog],
      })
      class AppModule {}
      const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
      const app = await moduleRef.init();
      const { log } = app.get(NeedsLog);
      expect(log).toBeInstanceOf(Log);
      expect((await log.append([Buffer.from('hi')], 1)).baseOffset).toBe(0);
      await app.close();
      await expect(log.read(0)).rejects.toBeInstanceOf(LogStoreError);

      const reopened = await Log.open({ dir });
      expect((await reopened.read(0)).message.toString()).toBe('hi');
      await reopened.close();
    });
  });

  describe('registerAsync', () => {
    it('takes its options from a factory', async () => {
      const dir = dirs.make();
      const moduleRef = await Test.createTestingModule({
        imports: [LogStoreModule.registerAsync({ useFactory: () => ({ dir, fsync: 'never' }) })],
      }).compile();
      const app = await moduleRef.init();
      const log = app.get<LogStore>(LOG_STORE);
      expect(log.logEndOffset).toBe(0);
      // The replica's files beside the same log, under their own token.
      const metadata = app.get<ReplicaMetadata>(REPLICA_METADATA);
      expect(metadata).toBe((log as Log).metadata);
      expect(metadata.incarnation.origin).toBe('new');
      // Retention reaches the same log under its own token.
      expect(app.get<LogRetention>(LOG_RETENTION)).toBe(log);
      await app.close();
      await expect(log.append([Buffer.from('x')], 1)).rejects.toMatchObject({ code: 'CLOSED' });
    });
  });
});
