// Where things are, resolved from this file so the CLI works from any working directory.
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..', '..');
/** Every replica's log, etcd's data and cluster.json, unless --data says otherwise. */
export const DEFAULT_DATA = join(ROOT, 'data');
export const SERVER_SCRIPT = join(ROOT, 'dist', 'apps', 'server', 'main.js');
export const API_SCRIPT = join(ROOT, 'dist', 'apps', 'api', 'main.js');
