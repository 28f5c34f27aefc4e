import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { IndexLockedError, IndexLockLostError, type IndexLockHolder } from '../errors.js';

/** proper-lockfile's shortest staleness: a lock not refreshed for this long is taken over once its holder is known dead. */
const DEAD_OWNER_STALE_MS = 2000;

/** "Never stale": a holder that is a live process on this machine keeps its lock however long it goes unrefreshed. */
const LIVE_OWNER_STALE_MS = Number.MAX_SAFE_INTEGER;

/** How often a waiting ingest looks at the lock again. */
const RETRY_EVERY_MS = 250;

/** Options of {@link withIndexLock}. */
export interface IndexLockOptions {
  /** How long to wait for another holder to finish before refusing with IndexLockedError. @default 3000 */
  readonly waitMs?: number;
  /**
   * How long a lock of a holder on another host (or one that never recorded itself) may go unrefreshed before it is
   * taken over; a holder on this machine is judged by whether its process exists instead.
   * @default 10000
   */
  readonly staleMs?: number;
}

/**
 * Runs `work` holding the index folder's lock, so two ingests never interleave their writes.
 * The holder records its pid, host and start beside the lock (`.lock.owner`) and refreshes the lock every second.
 * A second ingest waits up to `waitMs`, then refuses with IndexLockedError naming the holder. A holder that is a
 * live process on this machine is never taken over, however long it is blocked (a stopped process, a busy disk);
 * one whose process is gone is taken over once the lock is 2 s old; one on another host (which cannot be asked)
 * after `staleMs` without a refresh.
 * `work` gets a signal that fires if the lock is lost anyway (another host took it over, or it was removed); the
 * work should stop writing then, and the call rejects with IndexLockLostError whatever the work did.
 * @throws IndexLockedError when the lock stays held for `waitMs`.
 * @throws IndexLockLostError when the lock was lost while `work` ran.
 */
export async function withIndexLock<T>(indexDir: string, options: IndexLockOptions, work: (lockLost: AbortSignal) => Promise<T>): Promise<T> {
  await fs.mkdir(indexDir, { recursive: true });
  const waitMs = options.waitMs ?? 3000;
  const staleMs = options.staleMs ?? 10_000;
  const lockfilePath = path.join(indexDir, '.lock');
  const ownerFile = `${lockfilePath}.owner`;
  const lost = new AbortController();
  let lostReason = '';

  const deadline = Date.now() + waitMs;
  let release: () => Promise<void>;
  for (;;) {
    const holder = await readHolder(ownerFile);
    try {
      release = await lockfile.lock(indexDir, {
        lockfilePath,
        stale: staleFor(holder, staleMs),
        // Refreshed every second: a live holder elsewhere never looks dead, and one that cannot refresh is reported.
        update: 1000,
        retries: 0,
        onCompromised: (error) => {
          lostReason = error.message;
          lost.abort(error);
        },
      });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      if (Date.now() + RETRY_EVERY_MS > deadline) throw new IndexLockedError(indexDir, { holder: await readHolder(ownerFile), cause: error });
      await new Promise((resolve) => setTimeout(resolve, RETRY_EVERY_MS));
    }
  }

  const me: IndexLockHolder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    // Best effort: on a full disk even this small file may not fit, and the ingest must still run to free the space
    // that failed saves took. Unrecorded, the holder is judged by the lock's age alone (`staleMs`).
    await removeLeftoverRecords(indexDir).catch(() => {});
    await writeHolder(ownerFile, me).catch(() => {});
    outcome = { ok: true, value: await work(lost.signal) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  if (lost.signal.aborted) {
    // The lock (and the owner file) may belong to another ingest now: leave both alone.
    throw new IndexLockLostError(indexDir, lostReason || 'it could not be refreshed', { cause: outcome.ok ? lost.signal.reason : outcome.error });
  }
  const recorded = await readHolder(ownerFile);
  if (recorded && recorded.pid === me.pid && recorded.host === me.host && recorded.since === me.since) await fs.rm(ownerFile, { force: true }).catch(() => {});
  await release().catch(() => {});
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/** How long the current lock may go unrefreshed before it is taken over, given who holds it. */
function staleFor(holder: IndexLockHolder | null, staleMs: number): number {
  if (holder === null || holder.host !== os.hostname()) return staleMs;
  return processExists(holder.pid) ? LIVE_OWNER_STALE_MS : DEAD_OWNER_STALE_MS;
}

/** Whether a process with this pid exists on this machine (EPERM: it does, and belongs to someone else). */
function processExists(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** The holder recorded beside the lock, or null when there is none (yet) or it cannot be read. */
async function readHolder(ownerFile: string): Promise<IndexLockHolder | null> {
  let owner: Partial<IndexLockHolder>;
  try {
    owner = JSON.parse(await fs.readFile(ownerFile, 'utf8')) as Partial<IndexLockHolder>;
  } catch {
    return null;
  }
  if (typeof owner.pid !== 'number' || !Number.isInteger(owner.pid) || owner.pid <= 0 || typeof owner.host !== 'string') return null;
  return { pid: owner.pid, host: owner.host, since: typeof owner.since === 'string' ? owner.since : 'an unknown time' };
}

/**
 * Removes holder records a killed ingest left half-written (`.lock.owner.<pid>.tmp`). Only the lock holder writes one,
 * so once the lock is ours every such file is a leftover.
 */
async function removeLeftoverRecords(indexDir: string): Promise<void> {
  for (const name of await fs.readdir(indexDir)) {
    if (name.startsWith('.lock.owner.') && name.endsWith('.tmp')) await fs.rm(path.join(indexDir, name), { force: true });
  }
}

/** Writes the holder aside and renames it into place, so a waiting ingest never reads half a record. */
async function writeHolder(ownerFile: string, holder: IndexLockHolder): Promise<void> {
  const temporary = `${ownerFile}.${process.pid}.tmp`;
  try {
    await fs.writeFile(temporary, JSON.stringify(holder));
    await fs.rename(temporary, ownerFile);
  } catch (error) {
    await fs.rm(temporary, { force: true }).catch(() => {});
    throw error;
  }
}
