/**
 * The incarnation of a data directory: a random id created the first time a replica starts on
 * it, kept in it, and gone with it. etcd's ISR records each member's incarnation, so a replica
 * whose directory was wiped or replaced (same node id, new disk) is told apart from the one that
 * was in sync: it holds nothing that was committed, and must not lead until it has caught up
 * (Kafka's KIP-966 broker epoch plays the same part).
 *
 * File `incarnation`, text:
 *   0              format version
 *   <id>           the incarnation, 1..64 characters of [A-Za-z0-9-]
 *   created-empty  (only when it was) the directory held no log when the id was created
 * Written once, atomically (atomic-file.ts), before the log is used.
 *
 * `createdEmpty` is kept in the file, not judged at each start: a directory created empty must
 * never count through an ISR entry that recorded no incarnation (see libs/cluster's
 * isr-standing.ts), and that must hold after it restarts too, before a leader has recorded it.
 *
 * How the id came to be (`origin`):
 *   existing  read from the file
 *   new       created now on a directory with no log in it: it holds no committed message
 *   adopted   created now for a log written before incarnations existed (an upgrade): the log is
 *             the same one the ISR knew, so it keeps the standing it had
 *
 * A file that does not parse makes open fail (LogStoreError CORRUPT), like the HW checkpoint:
 * guessing would either hide a replaced disk or throw away an intact one's standing.
 *
 * Concurrency: read or created once by Log.open; never written afterwards.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomic-file';
import { logStoreErrors } from './errors';

export const INCARNATION_FILE = 'incarnation';
const VERSION = 0;
const ID = /^[A-Za-z0-9-]{1,64}$/;

export type IncarnationOrigin = 'existing' | 'new' | 'adopted';

export interface Incarnation {
  readonly id: string;
  /** How the id came to be at this start (for the start line). */
  readonly origin: IncarnationOrigin;
  /** The directory held no log when the id was created, at this start or an earlier one. */
  readonly createdEmpty: boolean;
}

const CREATED_EMPTY = 'created-empty';

/** The incarnation in a file's text, or null when it is not one. */
export function parseIncarnation(text: string): { id: string; createdEmpty: boolean } | null {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (lines.length < 2 || lines.length > 3 || lines[0] !== String(VERSION)) return null;
  if (lines.length === 3 && lines[2] !== CREATED_EMPTY) return null;
  const id = lines[1];
  return ID.test(id) ? { id, createdEmpty: lines.length === 3 } : null;
}

/**
 * Reads the incarnation of `dir`, or creates one. `emptyDir`: the directory held no log, epoch
 * or HW checkpoint file when it was opened (decides 'new' against 'adopted').
 */
export async function loadOrCreateIncarnation(
  dir: string,
  emptyDir: boolean,
): Promise<Incarnation> {
  const file = path.join(dir, INCARNATION_FILE);
  let text: string | null;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    text = null;
  }
  if (text !== null) {
    const parsed = parseIncarnation(text);
    if (parsed === null) {
      throw logStoreErrors.corrupt(
        file,
        `not an incarnation file (${JSON.stringify(text.slice(0, 40))}); it says which data directory the cluster's ISR knows. If the log in this directory is the replica's own, write "${VERSION}\\n<any new id>\\n" into it; the replica then rejoins the ISR only once it has caught up`,
      );
    }
    return { ...parsed, origin: 'existing' };
  }
  const id = randomUUID();
  await writeFileAtomic(file, `${VERSION}\n${id}\n${emptyDir ? `${CREATED_EMPTY}\n` : ''}`);
  return { id, origin: emptyDir ? 'new' : 'adopted', createdEmpty: emptyDir };
}
