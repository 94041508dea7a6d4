import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ClusterOptions } from './cluster.interface';

/** forRoot/forRootAsync come from Nest's builder; `isGlobal` (default true) is the one extra. */
export const {
  ConfigurableModuleClass: ClusterConfigurableModule,
  MODULE_OPTIONS_TOKEN: CLUSTER_MODULE_OPTIONS,
  OPTIONS_TYPE: CLUSTER_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: CLUSTER_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ClusterOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
