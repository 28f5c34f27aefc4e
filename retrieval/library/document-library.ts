import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import { AbortedError, VerbatimError } from '../errors.js';
import type { IngestReport } from '../ingest/ingest-corpus.js';
import type { Logger } from '../logger.js';
import type { DocumentSummary } from '../pipeline.js';
import type { LiveIndex } from '../serving/live-index.js';
import { checkUploadType, safeUploadName } from './upload-file.js';

/** Where an upload is: stored and waiting for a re-index, being indexed, askable, or not indexed (with why). */
export type UploadState = 'queued' | 'indexing' | 'ready' | 'failed';

/** One uploaded file, as `GET /api/uploads/:id` reports it. */
export interface UploadStatus {
  readonly id: string;
  /** The file name the client sent. */
  readonly name: string;
  /** The document id it is (or would have been) indexed under: its path in the corpus folder. */
  readonly docId: string;
  readonly state: UploadState;
  /** Why it failed, when it did. */
  readonly reason: string | null;
  /** Its content was already a document: nothing was stored, `docId` is that document. */
  readonly duplicate: boolean;
  /** When it was received (ISO 8601). */
  readonly receivedAt: string;
}

/** A file as received: the name the client gave it and its bytes. */
export interface IncomingFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** What `remove` did. */
export interface RemovedDocument {
  readonly id: string;
  /** Documents in the index now. */
  readonly documents: number;
}

/** Options of {@link createDocumentLibrary}. */
export interface DocumentLibraryOptions {
  /** The index the library changes and reads documents from. */
  readonly live: LiveIndex;
  /** Supplies `corpusDir`, `uploadsDir` and `allowCorpusDelete`. */
  readonly config: Config;
  readonly logger?: Logger;
  /** Finished upload statuses kept for `status`, oldest forgotten first. @default 1000 */
  readonly keepStatuses?: number;
}

/** Adds documents to the corpus and removes them, re-indexing after each change. */
export interface DocumentLibrary {
  /**
   * Checks every file first (none is stored if one is refused), stores the new ones in the uploads folder under
   * `<sha256 prefix>-<safe name>` and queues them for the next re-index; a file whose content is already a document
   * (or is being indexed) is that document, and nothing is stored.
   * @throws InputError `UNSUPPORTED_UPLOAD_TYPE` (415), `UPLOAD_CONTENT_MISMATCH` or `EMPTY_UPLOAD` (422).
   */
  add(files: readonly IncomingFile[]): Promise<UploadStatus[]>;
  /** An upload's status; undefined for unknown (or long forgotten) ids. */
  status(id: string): UploadStatus | undefined;
  /**
   * Removes a document from disk and from the index, once the index without it serves. A failed re-index puts the
   * file back: nothing is lost and the document stays listed.
   * @throws VerbatimError `DOCUMENT_NOT_FOUND` (404), `CORPUS_DOCUMENT_PROTECTED` (403) for a document of the corpus
   * folder unless ALLOW_CORPUS_DELETE, or what kept the re-index from finishing.
   */
  remove(docId: string): Promise<RemovedDocument>;
  /** Resolves once every queued upload has been indexed or has failed (for a clean shutdown). */
  settled(): Promise<void>;
}

/** Length of the content hash in front of a stored upload's name: 48 bits, no accidental collisions among uploads. */
const HASH_PREFIX_CHARS = 12;

interface Upload {
  status: UploadStatus;
  /** Where it is stored; null for a duplicate. */
  readonly file: string | null;
  readonly hash: string;
  /** The upload of the same content still being indexed, whose state this one shares. */
  readonly original?: Upload;
}

function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/**
 * The uploads folder and delete requests over a {@link LiveIndex}: uploads are stored as corpus files and indexed in
 * batches (one batch at a time; files arriving meanwhile wait for the next), each upload's state kept for polling.
 */
export function createDocumentLibrary(options: DocumentLibraryOptions): DocumentLibrary {
  const { live, config, logger } = options;
  const keepStatuses = options.keepStatuses ?? 1000;
  const uploadsDir = config.uploadsDir ?? path.join(config.corpusDir, 'uploads');
  const uploads = new Map<string, Upload>();
  let pending: Upload[] = [];
  let indexing: Promise<void> | null = null;

  const docIdOf = (file: string) => path.relative(config.corpusDir, file).split(path.sep).join('/');
  const update = (upload: Upload, state: UploadState, reason: string | null = null) => {
    upload.status = { ...upload.status, state, reason };
  };

  function remember(upload: Upload): void {
    uploads.set(upload.status.id, upload);
    if (uploads.size <= keepStatuses) return;
    for (const [id, old] of uploads) {
      if (uploads.size <= keepStatuses) break;
      if (old.status.state === 'ready' || old.status.state === 'failed') uploads.delete(id);
    }
  }

  /** The indexed document with these bytes, found by the hash the index keeps of every file. */
  function documentWithHash(hash: string): DocumentSummary | undefined {
    return live.listDocuments().find((d) => live.getDocument(d.id)?.hash === hash);
  }

  async function discard(upload: Upload): Promise<void> {
    if (upload.file) await fs.rm(upload.file, { force: true }).catch((error: unknown) => logger?.warn({ err: error, file: upload.file }, 'could not remove a failed upload'));
  }

  /** Marks each upload of a finished batch ready or failed; a failed one's file is removed, so the corpus matches the index. */
  async function settle(batch: readonly Upload[], report: IngestReport): Promise<void> {
    for (const upload of batch) {
      if (live.getDocument(upload.status.docId)) {
        update(upload, 'ready');
        continue;
      }
      const skipped = report.skipped.find((s) => s.path === upload.status.docId);
      const ext = path.extname(upload.status.docId);
      update(upload, 'failed', skipped ? `not indexed: ${skipped.reason}` : `not indexed: this server's corpus reader does not read ${ext} files`);
      await discard(upload);
    }
  }

  function startIndexing(): void {
    if (indexing) return;
    indexing = (async () => {
      while (pending.length > 0) {
        const batch = pending;
        pending = [];
        for (const upload of batch) update(upload, 'indexing');
        try {
          await settle(batch, await live.reindex());
        } catch (error) {
          if (error instanceof AbortedError) {
            // The server is stopping: the files stay in the corpus folder, and the next start indexes them.
            for (const upload of batch) update(upload, 'failed', 'the server stopped before indexing it: it is indexed when the server starts again');
            continue;
          }
          const reason = `indexing failed, the previous index is still served: ${error instanceof Error ? error.message : String(error)}`;
          logger?.error({ err: error }, 'indexing uploads failed');
          for (const upload of batch) {
            update(upload, 'failed', reason);
            await discard(upload);
          }
        }
      }
    })().finally(() => {
      indexing = null;
    });
  }

  async function add(files: readonly IncomingFile[]): Promise<UploadStatus[]> {
    for (const file of files) checkUploadType(file.name, file.bytes);
    await fs.mkdir(uploadsDir, { recursive: true });
    const added: Upload[] = [];
    for (const file of files) {
      const hash = createHash('sha256').update(file.bytes).digest('hex');
      const base = { id: randomUUID(), name: file.name, reason: null, receivedAt: new Date().toISOString() };
      const existing = documentWithHash(hash);
      const inFlight = [...uploads.values()].find((u) => u.hash === hash && u.file !== null && (u.status.state === 'queued' || u.status.state === 'indexing'));
      if (existing || inFlight) {
        const upload: Upload = {
          status: { ...base, docId: existing?.id ?? inFlight!.status.docId, state: existing ? 'ready' : inFlight!.status.state, duplicate: true },
          file: null,
          hash,
          ...(existing ? {} : { original: inFlight! }),
        };
        remember(upload);
        added.push(upload);
        continue;
      }
      const target = path.join(uploadsDir, `${hash.slice(0, HASH_PREFIX_CHARS)}-${safeUploadName(file.name)}`);
      if (!isInside(config.corpusDir, target)) throw new Error(`an upload name left the uploads folder: ${target}`);
      // Known before it is written, so the same content sent meanwhile (another request) follows this upload.
      const upload: Upload = { status: { ...base, docId: docIdOf(target), state: 'queued', duplicate: false }, file: target, hash };
      remember(upload);
      added.push(upload);
      try {
        // Written under a hidden name (which the corpus loader skips) and renamed, so an ingest never reads half a file.
        const partial = path.join(uploadsDir, `.${path.basename(target)}.${process.pid}.partial`);
        await fs.writeFile(partial, file.bytes).catch(async (error: unknown) => {
          await fs.rm(partial, { force: true });
          throw error;
        });
        await fs.rename(partial, target);
      } catch (error) {
        // None of this request is kept: the client is told it failed, so it must not be indexed behind its back.
        for (const undone of added) {
          if (!undone.file) continue;
          update(undone, 'failed', `not stored: ${error instanceof Error ? error.message : String(error)}`);
          pending = pending.filter((p) => p !== undone);
          await discard(undone);
        }
        throw error;
      }
      pending.push(upload);
    }
    if (pending.length > 0) startIndexing();
    return added.map((u) => (u.original ? { ...u.status, state: u.original.status.state } : u.status));
  }

  async function remove(docId: string): Promise<RemovedDocument> {
    if (!live.getDocument(docId)) {
      throw new VerbatimError('DOCUMENT_NOT_FOUND', `no document with id ${JSON.stringify(docId)} in the index: list them with GET /api/documents`, { status: 404 });
    }
    const file = path.resolve(config.corpusDir, ...docId.split('/'));
    if (!isInside(config.corpusDir, file)) throw new VerbatimError('DOCUMENT_NOT_FOUND', `no document with id ${JSON.stringify(docId)} in the corpus folder`, { status: 404 });
    if (!isInside(uploadsDir, file) && !config.allowCorpusDelete) {
      throw new VerbatimError(
        'CORPUS_DOCUMENT_PROTECTED',
        `${JSON.stringify(docId)} is a document of the corpus folder, not an upload: remove the file from ${config.corpusDir} yourself, or set ALLOW_CORPUS_DELETE=true to let the API delete it`,
        { status: 403 },
      );
    }
    // Moved aside under a hidden name (which the corpus loader skips) until the index without it serves.
    const aside = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.deleting`);
    await fs.rename(file, aside).catch((error: unknown) => {
      throw new VerbatimError('DOCUMENT_NOT_FOUND', `the file of ${JSON.stringify(docId)} could not be moved (${(error as NodeJS.ErrnoException).code ?? String(error)}): it may have been removed already`, { status: 404, cause: error });
    });
    let report: IngestReport;
    try {
      report = await live.reindex();
    } catch (error) {
      await fs.rename(aside, file).catch((restoreError: unknown) => logger?.error({ err: restoreError, file }, 'could not put a document back after a failed re-index'));
      throw error;
    }
    await fs.rm(aside, { force: true });
    return { id: docId, documents: report.documents };
  }

  return {
    add,
    status: (id) => {
      const upload = uploads.get(id);
      if (!upload?.original) return upload?.status;
      const { state, reason } = upload.original.status;
      return { ...upload.status, state, reason };
    },
    remove,
    settled: async () => {
      while (indexing) await indexing;
    },
  };
}
