export { freePort } from './free-port';
export { EtcdProcess } from './etcd-process';
export type { EtcdProcessOptions } from './etcd-process';
