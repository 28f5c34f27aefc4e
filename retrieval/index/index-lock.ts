import fs from 'node:fs/promises';
import lockfile from 'proper-lockfile';
import { IndexLockedError } from '../errors.js';

/**
 * Runs `work` holding the index folder's lock, so two ingests never interleave their writes.
 * A second ingest waits a little, then refuses with IndexLockedError. A lock left by a killed process
 * goes stale after `staleMs` and is taken over.
 */
export async function withIndexLock<T>(indexDir: string, options: { waitMs?: number; staleMs?: number }, work: () => Promise<T>): Promise<T> {
  await fs.mkdir(indexDir, { recursive: true });
  const waitMs = options.waitMs ?? 3000;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(indexDir, {
      lockfilePath: `${indexDir}/.lock`,
      stale: options.staleMs ?? 10_000,
      retries: { retries: Math.max(0, Math.ceil(waitMs / 250)), minTimeout: 250, maxTimeout: 250, factor: 1 },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') throw new IndexLockedError(indexDir, { cause: error });
    throw error;
  }
  try {
    return await work();
  } finally {
    await release().catch(() => {});
  }
}
