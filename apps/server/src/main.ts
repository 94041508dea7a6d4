import 'reflect-metadata';
import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { ConfigError } from '@distilled/config';
import { GrpcSecurity } from '@distilled/proto';
import { serverConfig, type ServerConfig } from './config';
import { ReplicaLifecycle } from './lifecycle';
import { replicaGrpcOptions } from './grpc-options';
import { ServerModule } from './server.module';
import { describeError } from '@distilled/common';

/**
 * Bad configuration: one line naming the variable, exit code 1, no stack (README, "Configuration").
 */
function configOrExit(): ServerConfig {
  try {
    return serverConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`distilled-server: invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function bootstrap(): Promise<void> {
  const config = configOrExit();
  const logger = new ConsoleLogger({
    prefix: `distilled ${config.nodeId}`,
    json: config.logFormat === 'json',
    colors: config.logFormat === 'text' && process.stdout.isTTY,
  });
  // An IPv6 literal needs brackets in a gRPC address ("[::]:50051").
  const bare = config.grpcHost.includes(':') && !config.grpcHost.startsWith('[');
  const host = bare ? `[${config.grpcHost}]` : config.grpcHost;
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(ServerModule, {
    ...replicaGrpcOptions(`${host}:${config.grpcPort}`, GrpcSecurity.from(config.grpcTls)),
    logger,
    // A boot failure must reach the catch below (one line, exit 1), not process.abort().
    abortOnError: false,
  });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.listen();
  logger.log(`gRPC: ${GrpcSecurity.from(config.grpcTls).describe()}`, 'Replica');
  await app.get(ReplicaLifecycle).start();
}

bootstrap().catch((error: unknown) => {
  // Boot failures (etcd down, port taken, unreadable log) end in one readable line.
  const message = describeError(error);
  process.stderr.write(`distilled-server: failed to start: ${message}\n`);
  process.exit(1);
});
