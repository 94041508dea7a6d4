import { Module } from '@nestjs/common';
import { IdempotentProducer } from '../replicas/idempotent-producer';
import { ReplicaReader } from '../replicas/replica-reader';
import { ReplicasModule } from '../replicas/replicas.module';
import { DataController } from './data.controller';
import { DataService } from './data.service';

@Module({
  imports: [ReplicasModule],
  controllers: [DataController],
  providers: [DataService, IdempotentProducer, ReplicaReader],
})
export class DataModule {}
