import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import {
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  retry,
} from 'cockatiel';
import { Etcd3, isRecoverableError } from 'etcd3';
import { CLUSTER_OPTIONS, type ClusterOptions } from './cluster.interface';

/** Injection token of the shared `Etcd3` client. */
export const ETCD_CLIENT = Symbol('ETCD_CLIENT');

/** Deadline of every unary etcd call, so a frozen etcd fails calls instead of hanging them. */
export const ETCD_CALL_TIMEOUT_MS = 5_000;

/**
 * Builds the etcd client with fault handling tuned for 1-2 s leases. etcd3's defaults open a
 * host's circuit for 5 s and back watches off up to 30 s: longer than a lease lives, so after
 * an etcd blip every lease would be lost and re-registration delayed for no reason.
 */
export function createEtcdClient(options: Pick<ClusterOptions, 'endpoints'>): Etcd3 {
  return new Etcd3({
    hosts: options.endpoints,
    dialTimeout: ETCD_CALL_TIMEOUT_MS,
    defaultCallOptions: (context) =>
      context.isStream ? {} : { deadline: Date.now() + ETCD_CALL_TIMEOUT_MS },
    faultHandling: {
      host: () =>
        circuitBreaker(handleWhen(isRecoverableError), {
          halfOpenAfter: 500,
          breaker: new ConsecutiveBreaker(3),
        }),
      global: retry(handleWhen(isRecoverableError), { maxAttempts: 2 }),
      // etcd3 wants the first backoff state here, not the factory.
      watchBackoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 1_000 }).next(),
    },
  });
}

export const etcdClientProvider: Provider = {
  provide: ETCD_CLIENT,
  useFactory: (options: ClusterOptions) => createEtcdClient(options),
  inject: [CLUSTER_OPTIONS],
};

/**
 * Closes the client at application shutdown. That hook runs after every onModuleDestroy, so
 * the services can still resign and revoke their leases through the client first.
 */
@Injectable()
export class EtcdClientCloser implements OnApplicationShutdown {
  constructor(@Inject(ETCD_CLIENT) private readonly client: Etcd3) {}

  onApplicationShutdown(): void {
    this.client.close();
  }
}
