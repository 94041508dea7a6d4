export { LogRepair } from './log-repair.service';
export { HighWatermarkCheckpointer } from './high-watermark-checkpointer';
export type { LogDamage } from './log-damage';
