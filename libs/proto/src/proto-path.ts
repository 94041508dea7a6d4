import { existsSync } from 'node:fs';
import { join } from 'node:path';

const RELATIVE = join('distilled', 'v1', 'distilled.proto');

/**
 * Where distilled.proto is. From sources (ts-jest, ts-node) it sits beside this file; in a
 * webpack build (dist/apps/<app>/main.js) the build copies it to `<app dir>/proto/`.
 */
export function resolveProtoPath(): string {
  const candidates = [
    join(__dirname, RELATIVE),
    join(__dirname, 'proto', RELATIVE),
    join(process.cwd(), 'libs', 'proto', 'src', RELATIVE),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) {
    throw new Error(`distilled.proto not found; looked in: ${candidates.join(', ')}`);
  }
  return found;
}

/** proto-loader options, the same for every client and server of this package. */
export const PROTO_LOADER_OPTIONS = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
} as const;

export const PROTO_PACKAGE = 'distilled.v1';
