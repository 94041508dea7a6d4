import { Inject, Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import type { Etcd3 } from 'etcd3';
import { EtcdFixture, waitFor } from '../test/etcd-fixture';
import {
  CLUSTER_OPTIONS,
  CLUSTER_STATE_STORE,
  type ClusterOptions,
  type ClusterStateStore,
  ELECTION,
  type Election,
  MEMBERSHIP,
  type Membership,
} from './cluster.interface';
import { ClusterModule } from './cluster.module';
import { ETCD_CLIENT } from './etcd.provider';

describe('ClusterModule', () => {
  const fx = new EtcdFixture();
  beforeAll(() => fx.start());
  afterAll(() => fx.stop());

  describe('forRoot', () => {
    it('provides the client, the services behind their tokens and the options, and cleans up on close', async () => {
      const options = fx.options();
      const moduleRef = await Test.createTestingModule({
        imports: [ClusterModule.forRoot(options)],
      }).compile();
      // An application context: the library needs no HTTP adapter.
      const app = await moduleRef.init();
      expect(app.get(CLUSTER_OPTIONS)).toEqual(options);
      const client = app.get<Etcd3>(ETCD_CLIENT);
      const membership = app.get<Membership>(MEMBERSHIP);
      const election = app.get<Election>(ELECTION);
      const state = app.get<ClusterStateStore>(CLUSTER_STATE_STORE);

      await membership.register({ id: 'm', address: 'm:1' });
      await election.start('m');
      await waitFor('m leads', () => election.isLeader());
      await waitFor('state seen', () => state.current()?.state.leader === 'm');
      await waitFor('member seen', () => membership.current().has('m'));

      const close = jest.spyOn(client, 'close');
      await app.close();
      expect(close).toHaveBeenCalled();
      expect(election.isLeader()).toBe(false);
      // the graceful stop revoked both leases: nothing of m is left under members/ or election/
      const probe = fx.client();
      expect(await probe.getAll().prefix(`/${options.cluster}/members/`).keys()).toEqual([]);
      expect(await probe.getAll().prefix(`/${options.cluster}/election/`).keys()).toEqual([]);
      fx.closeClients();
    });
  });

  describe('forRootAsync', () => {
    it('builds the options from a factory with injected dependencies and is global', async () => {
      const options = fx.options();

      // A feature module that does not import ClusterModule: works only if it is global.
      @Injectable()
      class UsesCluster {
        constructor(@Inject(MEMBERSHIP) readonly membership: Membership) {}
      }
      @Module({ providers: [UsesCluster], exports: [UsesCluster] })
      class FeatureModule {}

      const moduleRef = await Test.createTestingModule({
        imports: [
          ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ etcd: options })] }),
          ClusterModule.forRootAsync({
            imports: [ConfigModule],
            inject: [ConfigService],
            useFactory: (config: ConfigService) => config.getOrThrow<ClusterOptions>('etcd'),
          }),
          FeatureModule,
        ],
      }).compile();
      const app = await moduleRef.init();
      expect(app.get(CLUSTER_OPTIONS)).toEqual(options);
      expect(app.get(UsesCluster).membership.current()).toEqual(new Map());
      await app.close();
    });
  });
});
