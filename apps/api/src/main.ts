import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError } from '@distilled/config';
import { GrpcSecurity } from '@distilled/proto';
import { ApiModule } from './api.module';
import { apiConfig, type ApiConfig } from './config';
import { configureApiApp, createApiAdapter } from './http/api-app';
import { useLeanAsyncResourceBind } from './http/lean-async-resource-bind';
import { IdempotentProducer } from './replicas/idempotent-producer';

function loadConfig(): ApiConfig {
  try {
    return apiConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      // One line naming the variable; a stack trace would only hide it.
      process.stderr.write(`distilled-api: invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const leanBind = config.leanAsyncBind && useLeanAsyncResourceBind();
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule,
    createApiAdapter(config),
    { bodyParser: false },
  );
  configureApiApp(app, config);
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  const logger = new Logger('Api');
  if (leanBind) {
    logger.log(
      `Node ${process.versions.node}: AsyncResource.bind without the deprecated asyncResource property (as on Node 25+), saving Fastify a costly step per request body; DISTILLED_API_LEAN_ASYNC_BIND=off keeps Node's own`,
    );
  } else if (!config.leanAsyncBind) {
    logger.log(
      "AsyncResource.bind left as Node's own (DISTILLED_API_LEAN_ASYNC_BIND=off); on Node 20 that roughly doubles the API's CPU per POST",
    );
  }
  logger.log(
    config.apiKeys
      ? `API keys on: ${config.apiKeys.length} from ${config.apiKeysFile} (${config.apiKeys.map((key) => `${key.name}: ${[...key.scopes].join(',')}`).join('; ')}); data calls need "Authorization: Bearer <key>"`
      : 'API keys off: DISTILLED_API_KEYS_FILE is unset, so every call is open to anyone who can reach this port',
  );
  logger.log(
    config.https
      ? `HTTPS with the certificate of ${config.https.certFile}; plain HTTP to this port is refused`
      : 'plain HTTP: DISTILLED_API_TLS_CERT and DISTILLED_API_TLS_KEY are unset',
  );
  logger.log(`gRPC to the replicas: ${GrpcSecurity.from(config.grpcTls).describe()}`);
  logger.log(
    `listening on ${await app.getUrl()} (etcd ${config.etcdEndpoints.join(',')}, cluster "${config.cluster}", producer id ${app.get(IdempotentProducer).producerId})`,
  );
}

void bootstrap();
