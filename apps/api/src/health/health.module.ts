import { Module } from '@nestjs/common';
import { ReplicasModule } from '../replicas/replicas.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({
  imports: [ReplicasModule],
  controllers: [HealthController],
  providers: [HealthService],
})
export class HealthModule {}
