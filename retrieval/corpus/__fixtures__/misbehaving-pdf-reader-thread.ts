/**
 * The real PDF reader thread, except for two inputs standing in for PDFs that break a parser: bytes starting with
 * `STALL` run a synchronous step that never ends, and bytes starting with `HOARD` allocate memory until the thread
 * runs out. They prove the reader's time and memory bounds stop such work for real.
 */
import { parentPort } from 'node:worker_threads';
import type { PdfReadReply, PdfReadRequest } from '../pdf-reader.js';
import { pdfToText } from '../pdf-to-text.js';

parentPort!.on('message', (request: PdfReadRequest) => {
  const start = Buffer.from(request.bytes.subarray(0, 5)).toString('latin1');
  if (start === 'STALL') for (;;) Math.sqrt(Math.random());
  if (start === 'HOARD') {
    const kept: number[][] = [];
    for (;;) kept.push(new Array<number>(1_000_000).fill(kept.length));
  }
  void pdfToText(request.bytes, { limits: request.limits }).then((result) => parentPort!.postMessage({ id: request.id, result } satisfies PdfReadReply));
});
