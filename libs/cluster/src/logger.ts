import { Logger, type LoggerService } from '@nestjs/common';

/** Optional injection token for the logger the cluster services report role changes to. */
export const CLUSTER_LOGGER = Symbol('CLUSTER_LOGGER');

/** The part of Nest's LoggerService the cluster library uses. */
export type ClusterLogger = Pick<LoggerService, 'log' | 'warn' | 'error'>;

export function clusterLogger(context: string, logger?: ClusterLogger): ClusterLogger {
  return logger ?? new Logger(context);
}
