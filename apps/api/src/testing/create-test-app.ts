import { Test } from '@nestjs/testing';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiModule } from '../api.module';
import { apiConfig, parseApiConfig, type ApiConfig } from '../config';
import { configureApiApp, createApiAdapter } from '../http/api-app';
import { ReplicasModule } from '../replicas/replicas.module';
import { fakeReplicasModule, FakeReplicaGateway } from './fake-replica-gateway';

export interface TestApp {
  app: NestFastifyApplication;
  gateway: FakeReplicaGateway;
  config: ApiConfig;
}

/**
 * The real ApiModule wiring (global pipe, filter, Swagger, parsers) with the replicas faked:
 * what main.ts builds, minus etcd and gRPC.
 */
export async function createTestApp(
  overrides: Partial<ApiConfig> = {},
  gateway = new FakeReplicaGateway(),
): Promise<TestApp> {
  const config: ApiConfig = { ...parseApiConfig({}), writeTimeoutMs: 1000, ...overrides };
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule] })
    .overrideModule(ReplicasModule)
    .useModule(fakeReplicasModule(gateway))
    .overrideProvider(apiConfig.KEY)
    .useValue(config)
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createApiAdapter(config), {
    bodyParser: false,
    logger: false,
  });
  configureApiApp(app, config, { swaggerUi: false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, gateway, config };
}

/** Fastify's inject on the app (no socket). */
export function injector(
  app: NestFastifyApplication,
): (options: InjectOptions | string) => Promise<LightMyRequestResponse> {
  const instance = app.getHttpAdapter().getInstance();
  return (options) => instance.inject(options);
}
