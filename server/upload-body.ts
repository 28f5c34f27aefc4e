import type { Request, RequestHandler } from 'express';
import multer, { MulterError, type StorageEngine } from 'multer';
import { InputError } from '../retrieval/errors.js';
import type { IncomingFile } from '../retrieval/library/document-library.js';
import { formatBytes } from './error-responses.js';

/** The limits of one `POST /api/documents`. */
export interface UploadLimits {
  /** Largest file. */
  readonly maxFileBytes: number;
  /** Most files. */
  readonly maxFiles: number;
  /** Most bytes of files together. */
  readonly maxRequestBytes: number;
}

/** The form field the files travel in. */
export const UPLOAD_FIELD = 'files';

/** Room for the multipart boundaries and part headers around the files themselves. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/**
 * Multer's memory storage with one budget per request: the files' bytes are counted as they arrive and the request is
 * refused the moment they pass `maxRequestBytes`, so memory stays bounded however many files are sent.
 */
function budgetedMemoryStorage(maxRequestBytes: number): StorageEngine {
  const used = new WeakMap<Request, number>();
  return {
    _handleFile(req, file, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      let failed = false;
      file.stream.on('data', (chunk: Buffer) => {
        if (failed) return;
        size += chunk.length;
        const total = (used.get(req) ?? 0) + chunk.length;
        used.set(req, total);
        if (total > maxRequestBytes) {
          failed = true;
          file.stream.resume();
          callback(tooLarge(`the files of this request are larger than ${formatBytes(maxRequestBytes)} together: send fewer at once (UPLOAD_MAX_REQUEST_BYTES)`));
          return;
        }
        chunks.push(chunk);
      });
      file.stream.on('error', (error: Error) => {
        if (failed) return;
        failed = true;
        callback(error);
      });
      file.stream.on('end', () => {
        if (!failed) callback(null, { buffer: Buffer.concat(chunks, size), size });
      });
    },
    _removeFile(_req, file, callback) {
      (file as { buffer?: Buffer }).buffer = undefined;
      callback(null);
    },
  };
}

function tooLarge(message: string): InputError {
  return new InputError(message, { code: 'UPLOAD_TOO_LARGE', status: 413 });
}

/** Multer's refusals as errors a user can act on. */
function describeMulterError(error: MulterError, limits: UploadLimits): InputError {
  switch (error.code) {
    case 'LIMIT_FILE_SIZE':
      return tooLarge(`${error.field === UPLOAD_FIELD ? 'a file' : 'a part'} is larger than ${formatBytes(limits.maxFileBytes)}: split it (UPLOAD_MAX_FILE_BYTES)`);
    case 'LIMIT_FILE_COUNT':
      return tooLarge(`more than ${limits.maxFiles} files in one request: send them in several (UPLOAD_MAX_FILES)`);
    case 'LIMIT_UNEXPECTED_FILE':
      return new InputError(`send the files in the form field "${UPLOAD_FIELD}", not "${error.field ?? ''}"`, { code: 'BAD_UPLOAD' });
    default:
      return new InputError(`the multipart form could not be read (${error.message}): send the files as multipart/form-data in the field "${UPLOAD_FIELD}"`, { code: 'BAD_UPLOAD' });
  }
}

/**
 * Reads the files of a `multipart/form-data` request (the field {@link UPLOAD_FIELD}) with multer, within `limits`,
 * into `res.locals.files` as {@link IncomingFile}s. Anything else gets a clean 4xx: another content type 415, too
 * much 413 (a Content-Length that already says so is refused before a byte is read), a broken form 400.
 */
export function uploadBody(limits: UploadLimits): RequestHandler {
  const parse = multer({
    storage: budgetedMemoryStorage(limits.maxRequestBytes),
    // Browsers send file names as raw UTF-8.
    defParamCharset: 'utf8',
    limits: { fileSize: limits.maxFileBytes, files: limits.maxFiles, fields: 10, fieldSize: 1024, parts: limits.maxFiles + 10, headerPairs: 100 },
  }).array(UPLOAD_FIELD, limits.maxFiles);
  return (req, res, next) => {
    if (!req.is('multipart/form-data')) {
      next(new InputError(`send the files as multipart/form-data in the field "${UPLOAD_FIELD}" (e.g. curl -F ${UPLOAD_FIELD}=@notes.md)`, { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415 }));
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxRequestBytes + MULTIPART_OVERHEAD_BYTES) {
      // Not read: the connection is closed after the answer rather than draining a body this large.
      res.set('Connection', 'close');
      next(tooLarge(`the request is ${formatBytes(declared)}, more than the ${formatBytes(limits.maxRequestBytes)} of files one request may carry: send fewer at once (UPLOAD_MAX_REQUEST_BYTES)`));
      return;
    }
    parse(req, res, (error?: unknown) => {
      if (error) {
        next(error instanceof MulterError ? describeMulterError(error, limits) : error instanceof InputError ? error : new InputError(`the multipart form could not be read (${error instanceof Error ? error.message : String(error)})`, { code: 'BAD_UPLOAD' }));
        return;
      }
      const files = (req.files as Express.Multer.File[] | undefined) ?? [];
      if (files.length === 0) {
        next(new InputError(`no files in the request: send them as multipart/form-data in the field "${UPLOAD_FIELD}"`, { code: 'BAD_UPLOAD' }));
        return;
      }
      res.locals.files = files.map((file): IncomingFile => ({ name: file.originalname, bytes: file.buffer }));
      next();
    });
  };
}
