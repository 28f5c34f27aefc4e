/**
 * The body of the PDF reader's worker thread (started by `pdf-reader.ts`): reads one PDF per message with PDF.js and
 * posts the result back. Runs apart so that a PDF whose parsing never returns, or needs more memory than allowed,
 * takes down this thread only, never the ingest.
 */
import { parentPort } from 'node:worker_threads';
import { pdfToText } from './pdf-to-text.js';
import type { PdfReadReply, PdfReadRequest } from './pdf-reader.js';

parentPort!.on('message', (request: PdfReadRequest) => {
  void pdfToText(request.bytes, { limits: request.limits }).then((result) => parentPort!.postMessage({ id: request.id, result } satisfies PdfReadReply));
});
