import type { Stats } from 'node:fs';
import { z } from 'zod';

/**
 * What the file system says of a file without reading it: size, modification and change times, inode and device.
 * As git and rsync do, a file whose stamp is unchanged since it was last read is trusted to hold the same bytes, so
 * an unchanged corpus is confirmed without reading or hashing it. The change time moves on every write, and also
 * when the modification time is set back by hand (`touch -d`), so a stamp cannot be kept equal by accident.
 */
export const fileStampSchema = z.object({
  size: z.number().int().nonnegative(),
  mtimeMs: z.number(),
  ctimeMs: z.number(),
  ino: z.number().int().nonnegative(),
  dev: z.number().int().nonnegative(),
});

/** A parsed {@link fileStampSchema}. */
export type FileStamp = z.infer<typeof fileStampSchema>;

/**
 * How close to the moment of reading a file's last change may be for its stamp still to be trusted later. A file
 * written again within one tick of the file system's clock (1 s on some, 2 s on FAT) after it was read keeps its
 * stamp although its bytes changed; a stamp taken that soon after a change is therefore not recorded, and the file is
 * read again next time (git calls such entries "racily clean").
 */
export const RACY_WINDOW_MS = 2000;

/** The stamp of `stats`, or null when the file changed too shortly before `readAtMs` for the stamp to be trusted. */
export function stampOf(stats: Stats, readAtMs: number): FileStamp | null {
  if (readAtMs - Math.max(stats.mtimeMs, stats.ctimeMs) < RACY_WINDOW_MS) return null;
  return { size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, ino: stats.ino, dev: stats.dev };
}

/** Whether two stamps (or a file's `Stats` now and a stamp) show the same file, unchanged. */
export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino && a.dev === b.dev;
}
