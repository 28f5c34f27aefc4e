import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { IndexLockedError } from '../errors.js';

/** Who holds the lock, written beside it (`.lock.owner`) so a later ingest can tell a dead holder from a busy one. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
}

/** proper-lockfile's shortest staleness: a lock not refreshed for this long is taken over once its holder is known dead. */
const DEAD_OWNER_STALE_MS = 2000;

/**
 * Runs `work` holding the index folder's lock, so two ingests never interleave their writes.
 * A second ingest waits up to `waitMs`, then refuses with IndexLockedError. A lock whose holder was killed
 * (kill -9, power loss) stops being refreshed: it is taken over after `staleMs`, or after 2 s when the holder
 * was a process on this machine that no longer exists.
 */
export async function withIndexLock<T>(indexDir: string, options: { waitMs?: number; staleMs?: number }, work: () => Promise<T>): Promise<T> {
  await fs.mkdir(indexDir, { recursive: true });
  const waitMs = options.waitMs ?? 3000;
  const lockfilePath = path.join(indexDir, '.lock');
  const ownerFile = `${lockfilePath}.owner`;
  const attempt = (staleMs: number) =>
    lockfile.lock(indexDir, {
      lockfilePath,
      stale: staleMs,
      // Refreshed every second, so a live holder never looks dead to the 2 s rule below (ingest yields to the event
      // loop between batches for this), and a holder that cannot refresh in time is reported rather than overrun.
      update: 1000,
      retries: { retries: Math.max(0, Math.ceil(waitMs / 250)), minTimeout: 250, maxTimeout: 250, factor: 1 },
    });
  let release: () => Promise<void>;
  try {
    release = await attempt(options.staleMs ?? 10_000).catch(async (error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED' || !(await ownerIsGone(ownerFile))) throw error;
      return attempt(DEAD_OWNER_STALE_MS);
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') throw new IndexLockedError(indexDir, { cause: error });
    throw error;
  }
  try {
    const owner: LockOwner = { pid: process.pid, host: os.hostname() };
    await fs.writeFile(ownerFile, JSON.stringify(owner));
    return await work();
  } finally {
    await fs.rm(ownerFile, { force: true }).catch(() => {});
    await release().catch(() => {});
  }
}

/** Whether the lock's recorded holder was a process on this machine that has exited. Unknown holders count as alive. */
async function ownerIsGone(ownerFile: string): Promise<boolean> {
  let owner: Partial<LockOwner>;
  try {
    owner = JSON.parse(await fs.readFile(ownerFile, 'utf8')) as Partial<LockOwner>;
  } catch {
    return false;
  }
  if (owner.host !== os.hostname() || typeof owner.pid !== 'number' || owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
