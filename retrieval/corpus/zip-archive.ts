import { unzipSync } from 'fflate';

/** Bounds on what unpacking one ZIP-based document (DOCX) may cost; past one, it is skipped with a reason. */
export interface ZipLimits {
  /** Most entries in the archive. @default 10,000 */
  readonly maxEntries: number;
  /** Most bytes all entries together may unpack to, as the archive's directory declares them. @default 100 MiB */
  readonly maxUnpackedBytes: number;
}

/** See {@link ZipLimits}. */
export const DEFAULT_ZIP_LIMITS: ZipLimits = Object.freeze({ maxEntries: 10_000, maxUnpackedBytes: 100 * 1024 * 1024 });

/** An entry as the archive's central directory lists it. */
export interface ZipEntryInfo {
  readonly name: string;
  /** Compressed size in bytes. */
  readonly size: number;
  /** Unpacked size in bytes, as declared. */
  readonly originalSize: number;
}

/** The names and declared sizes of a ZIP's entries, read from its central directory without unpacking any; null when it has none that can be read. */
export function listZipEntries(bytes: Uint8Array): ZipEntryInfo[] | null {
  const entries: ZipEntryInfo[] = [];
  try {
    unzipSync(bytes, {
      filter: (file) => {
        entries.push({ name: file.name, size: file.size, originalSize: file.originalSize });
        return false;
      },
    });
  } catch {
    return null;
  }
  return entries;
}

/**
 * Unpacks a ZIP within `limits`, or says why not. The sizes are checked in the central directory before anything is
 * unpacked, so a zip bomb (a few kilobytes declaring gigabytes) costs nothing; and each entry is unpacked into a
 * buffer of exactly its declared size, so an archive that lies about its sizes cannot unpack to more than it declared
 * (its surplus is cut off, and the document then fails to parse).
 */
export function unpackZip(bytes: Uint8Array, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Record<string, Uint8Array> | string {
  const entries = listZipEntries(bytes);
  if (entries === null) return 'not a readable ZIP archive (its central directory is damaged)';
  if (entries.length > limits.maxEntries) return `a ZIP archive of ${entries.length} entries, more than the ${limits.maxEntries} limit`;
  const unpacked = entries.reduce((sum, entry) => sum + entry.originalSize, 0);
  if (unpacked > limits.maxUnpackedBytes) {
    return `unpacks to ${unpacked} bytes, more than the ${limits.maxUnpackedBytes}-byte limit (a zip bomb, or a document too large to index)`;
  }
  try {
    return unzipSync(bytes);
  } catch (error) {
    return `not a readable ZIP archive (${error instanceof Error ? error.message : String(error)})`;
  }
}
