export { DiskFullWatch } from './disk-full-watch.service';
export { handoverTarget } from './handover-target';
