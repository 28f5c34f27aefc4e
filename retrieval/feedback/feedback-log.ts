/**
 * The feedback log: an append-only JSON Lines file, one verdict per line (`feedback-entry.ts`). Nothing ever rewrites
 * it, so an earlier line is never lost; a crash can at worst cut the last line short, and readers skip such a line
 * (and say so) instead of giving up, while the next append starts on a fresh line.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { describeIssues } from '../ask-input.js';
import { InputError, VerbatimError } from '../errors.js';
import { feedbackEntrySchema, type FeedbackEntry } from './feedback-entry.js';

/** The feedback log file's name in the index folder, where the server keeps it unless FEEDBACK_FILE says otherwise. */
export const FEEDBACK_FILE_NAME = 'feedback.jsonl';

/** A verdict could not be written (a full disk, a file that is not writable); what was stored before is intact. */
export class FeedbackNotSavedError extends VerbatimError {
  /** The log file, for the server log; the client's message does not name server paths. */
  readonly file: string;

  constructor(file: string, options: { cause?: unknown; reason?: string } = {}) {
    const reason = options.reason ?? `${(options.cause as NodeJS.ErrnoException | undefined)?.code ?? 'write failed'}`;
    super('FEEDBACK_NOT_SAVED', `the server could not save the feedback (${reason}): try again later, and tell whoever runs it (the server log names the file)`, {
      status: 500,
      cause: options.cause,
    });
    this.file = file;
  }
}

/** Options of {@link FeedbackLog}. */
export interface FeedbackLogOptions {
  /** The JSON Lines file; created (with its folder) on the first append. */
  readonly file: string;
  /**
   * Largest the file may grow; an append past it is refused, so clients cannot fill the disk the index lives on.
   * Export the log and move it aside to start a new one. @default 268435456 (256 MiB)
   */
  readonly maxBytes?: number;
}

/**
 * Appends verdicts to one file. Appends from one process are queued, so each line is written whole by one `write` on
 * a file opened for appending (`O_APPEND`: the kernel puts it at the end, also against other processes) and synced
 * before the next begins. If the file does not end with a newline (a torn line from a crash), the next line starts
 * with one, so the torn line stays a line of its own and the new one is intact.
 */
export class FeedbackLog {
  readonly file: string;
  readonly maxBytes: number;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: FeedbackLogOptions) {
    if (!path.isAbsolute(options.file)) throw new InputError(`the feedback file must be an absolute path, got ${JSON.stringify(options.file)}`);
    this.file = options.file;
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  }

  /**
   * Appends `entry` as one line; resolves once it is on disk.
   * @throws FeedbackNotSavedError when it cannot be written.
   */
  append(entry: FeedbackEntry): Promise<void> {
    const line = `${JSON.stringify(feedbackEntrySchema.parse(entry))}\n`;
    const written = this.queue.then(() => this.write(line));
    // A failed append must not stop the ones queued after it.
    this.queue = written.catch(() => {});
    return written;
  }

  private async write(line: string): Promise<void> {
    try {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      // 'a+': appends go to the end whatever the position (O_APPEND), and the last byte can be read.
      const handle = await fs.open(this.file, 'a+');
      try {
        const { size } = await handle.stat();
        const bytes = Buffer.from(((await endsMidLine(handle, size)) ? '\n' : '') + line, 'utf8');
        if (size + bytes.length > this.maxBytes) throw new FeedbackNotSavedError(this.file, { reason: `the feedback log is full at ${formatSize(this.maxBytes)}; export it and move it aside` });
        let offset = 0;
        while (offset < bytes.length) offset += (await handle.write(bytes, offset, bytes.length - offset)).bytesWritten;
        await handle.datasync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw error instanceof FeedbackNotSavedError ? error : new FeedbackNotSavedError(this.file, { cause: error });
    }
  }
}

/** A size as the limit is documented: `256 MiB`, `19.5 KiB`. */
function formatSize(bytes: number): string {
  const [unit, size] = bytes >= 1024 * 1024 ? ['MiB', 1024 * 1024] : ['KiB', 1024];
  return `${Math.round((bytes / size) * 10) / 10} ${unit}`;
}

/** True when the file (of `size` bytes) has content and its last byte is not a newline. */
async function endsMidLine(handle: fs.FileHandle, size: number): Promise<boolean> {
  if (size === 0) return false;
  const { buffer } = await handle.read(Buffer.alloc(1), 0, 1, size - 1);
  return buffer[0] !== 0x0a;
}

/** A line of the log that could not be used, and why. */
export interface SkippedFeedbackLine {
  /** 1-based. */
  readonly line: number;
  readonly reason: string;
}

/** What {@link readFeedbackLog} found. */
export interface FeedbackLogContents {
  /** The valid entries, in file order (oldest first). */
  readonly entries: readonly FeedbackEntry[];
  /** Lines that are not a valid entry (a torn last line, a hand edit), which were left out. */
  readonly skipped: readonly SkippedFeedbackLine[];
}

/**
 * Reads every valid entry of a feedback log, line by line (memory grows with the entries, not with any one line
 * being scanned twice). Blank lines are ignored; a line that is not a valid entry is skipped and reported.
 * @throws InputError when the file cannot be read.
 */
export async function readFeedbackLog(file: string): Promise<FeedbackLogContents> {
  try {
    const info = await fs.stat(file);
    if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'ENOENT' ? ': the server writes it beside the index (INDEX_DIR/feedback.jsonl, or FEEDBACK_FILE) once a reader rates an answer' : '';
    throw new InputError(`cannot read feedback file ${file}: ${code ?? (error as Error).message}${hint}`);
  }
  const entries: FeedbackEntry[] = [];
  const skipped: SkippedFeedbackLine[] = [];
  const lines = readline.createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const raw of lines) {
      number++;
      if (raw.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        skipped.push({ line: number, reason: 'not a whole JSON object (a line cut short by a crash, or edited by hand)' });
        continue;
      }
      const parsed = feedbackEntrySchema.safeParse(value);
      if (parsed.success) entries.push(parsed.data);
      else skipped.push({ line: number, reason: `not a feedback entry: ${describeIssues(parsed.error)}` });
    }
  } catch (error) {
    throw new InputError(`cannot read feedback file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return { entries, skipped };
}
