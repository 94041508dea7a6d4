import { Module } from '@nestjs/common';
import { AppendAttempts } from '../replicas/append-attempts';
import { ConditionalWriter } from '../replicas/conditional-writer';
import { IdempotentProducer } from '../replicas/idempotent-producer';
import { ReplicaReader } from '../replicas/replica-reader';
import { ReplicasModule } from '../replicas/replicas.module';
import { BatchController } from './batch.controller';
import { DataController } from './data.controller';
import { DataService } from './data.service';
import { WritesService } from './writes.service';

@Module({
  imports: [ReplicasModule],
  controllers: [DataController, BatchController],
  providers: [
    DataService,
    WritesService,
    IdempotentProducer,
    AppendAttempts,
    ConditionalWriter,
    ReplicaReader,
  ],
})
export class DataModule {}
