/**
 * Nest wiring for the log: `LogStoreModule.register(options)` or
 * `LogStoreModule.registerAsync({ imports, inject, useFactory })` provides LOG_STORE, an opened
 * `Log` (opened in an async factory, so the app does not start until recovery is done),
 * LOG_RETENTION, the same Log seen as retention (log-retention.interface.ts), and
 * REPLICA_METADATA, the replica's files beside it (replica-metadata.ts), and closes the log
 * (which writes the last HW checkpoint) on application shutdown (after every module's onModuleDestroy, so a replication
 * service can still flush into it while stopping).
 *
 * No byte layout here; concurrency is the Log's (one instance per module registration).
 */
import { ConfigurableModuleBuilder, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Log, LogOptions } from './log';
import { LOG_RETENTION } from './log-retention.interface';
import { LOG_STORE } from './log-store.interface';
import { REPLICA_METADATA, type ReplicaMetadata } from './replica-metadata';

export const {
  ConfigurableModuleClass: LogStoreConfigurableModule,
  MODULE_OPTIONS_TOKEN: LOG_STORE_OPTIONS,
  OPTIONS_TYPE: LOG_STORE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: LOG_STORE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<LogOptions>().setClassMethodName('register').build();

@Module({
  providers: [
    {
      provide: LOG_STORE,
      useFactory: (options: LogOptions): Promise<Log> => Log.open(options),
      inject: [LOG_STORE_OPTIONS],
    },
    { provide: LOG_RETENTION, useExisting: LOG_STORE },
    {
      provide: REPLICA_METADATA,
      useFactory: (log: Log): ReplicaMetadata => log.metadata,
      inject: [LOG_STORE],
    },
  ],
  exports: [LOG_STORE, LOG_RETENTION, REPLICA_METADATA],
})
export class LogStoreModule extends LogStoreConfigurableModule implements OnApplicationShutdown {
  constructor(@Inject(LOG_STORE) private readonly log: Log) {
    super();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.log.close();
  }
}
