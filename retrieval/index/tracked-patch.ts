import fs from 'node:fs/promises';
import Database from 'better-sqlite3';

/** A byte range of a file, `[start, end)`. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** WAL file header bytes, and bytes of each frame's header (SQLite's file format, section 4). */
const WAL_HEADER_BYTES = 32;
const WAL_FRAME_HEADER_BYTES = 24;
const WAL_MAGIC = [0x377f0682, 0x377f0683];

/**
 * Runs `work` on the database at `file` (a copy of the previous generation's, made for this one) and returns the byte
 * ranges of the file it changed, so that its checksum is brought up to date by reading those alone
 * (`updatedBlockChecksums`). The changes go through a write-ahead log that is never checkpointed while `work` runs, so
 * when it is done the log lists every page written; the log is then checkpointed into the file and the database put
 * back into rollback-journal mode, as every generation's database is. Exclusive locking keeps the log's index in
 * memory (no `-shm` file in the generation), and nothing is synced: the save syncs the file once, after the checksums.
 * A failure leaves the file in any state: the save removes the whole generation then.
 */
export async function patchTracked(file: string, work: (db: Database.Database) => Promise<void>): Promise<ByteRange[]> {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('synchronous = OFF');
    db.pragma('wal_autocheckpoint = 0');
    if (db.pragma('journal_mode = WAL', { simple: true }) !== 'wal') throw new Error(`${file}: SQLite refused write-ahead logging`);
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    await work(db);
    const pages = await walPages(`${file}-wal`, pageSize);
    const [checkpoint] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
    if (!checkpoint || checkpoint.busy !== 0 || checkpoint.log !== checkpoint.checkpointed) throw new Error(`${file}: the write-ahead log was not checkpointed whole (${JSON.stringify(checkpoint)})`);
    if (db.pragma('journal_mode = DELETE', { simple: true }) !== 'delete') throw new Error(`${file}: SQLite did not leave write-ahead logging`);
    // Page 1 holds the header, which both journal mode switches rewrite in place.
    return [{ start: 0, end: pageSize }, ...[...pages].map((page) => ({ start: (page - 1) * pageSize, end: page * pageSize }))];
  } finally {
    db.close();
  }
}

/** The page numbers of every frame in a write-ahead log (a superset of those committed: more is only more to read). */
async function walPages(walFile: string, pageSize: number): Promise<Set<number>> {
  const log = await fs.readFile(walFile).catch((error: NodeJS.ErrnoException) => {
    // No write at all: no log.
    if (error.code === 'ENOENT') return Buffer.alloc(0);
    throw error;
  });
  const pages = new Set<number>();
  if (log.length < WAL_HEADER_BYTES) return pages;
  if (!WAL_MAGIC.includes(log.readUInt32BE(0)) || log.readUInt32BE(8) !== pageSize) throw new Error(`${walFile}: not a write-ahead log of ${pageSize}-byte pages`);
  for (let at = WAL_HEADER_BYTES; at + WAL_FRAME_HEADER_BYTES + pageSize <= log.length; at += WAL_FRAME_HEADER_BYTES + pageSize) pages.add(log.readUInt32BE(at));
  return pages;
}
