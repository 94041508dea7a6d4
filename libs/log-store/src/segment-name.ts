/**
 * How segment files are named: `<baseOffset, 20 digits>.log` and `.index`. The 20-digit names
 * sort the same as numbers, so `ls` (and a directory listing) shows the log in order.
 */
export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const SEGMENT_NAME = /^(\d{20})\.(log|index)$/;

export function segmentFileName(baseOffset: number, suffix: string): string {
  return String(baseOffset).padStart(20, '0') + suffix;
}
