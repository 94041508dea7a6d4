import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ClusterViewModule } from './cluster/cluster-view.module';
import { apiConfig } from './config';
import { ConsoleModule } from './console/console.module';
import { DataModule } from './data/data.module';
import { FollowModule } from './follow/follow.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { ProblemDetailsFilter } from './problems';
import { ApiValidationPipe } from './validation/api-validation.pipe';

/**
 * The HTTP API. The validation pipe and the problem+json filter are providers here, not
 * `app.useGlobal*()` calls in main.ts, so every spec that compiles this module gets them too.
 * Request metrics are a Fastify hook (see MetricsService.instrument), not an interceptor:
 * interceptors never see the answers Fastify gives before a route runs (404, 405, 413, 415).
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [apiConfig] }),
    MetricsModule,
    DataModule,
    FollowModule,
    ClusterViewModule,
    HealthModule,
    ConsoleModule,
  ],
  providers: [
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_PIPE, useClass: ApiValidationPipe },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
  ],
})
export class ApiModule {}
