/**
 * The body of the BM25 build thread (started by `ParallelLexicalBuild`): one task per build, which inserts every
 * batch of chunks into a new FTS5 index in batch order, analysing the terms of the batches it claims and taking the
 * ingest thread's analysis of the rest, then writes the database file (the bytes `LexicalIndex.serialize` gives) where
 * the ingest thread said: written here, the index is never copied from one thread to the other.
 */
import { writeFileSync } from 'node:fs';
import { createTermAnalyzer } from '../text/term-analysis.js';
import { BatchClaims, type LexicalBuildMessage, type LexicalBuildOutcome, type LexicalBuildTask, type RawRow } from './lexical-build-messages.js';
import { analyseRows, LexicalIndexWriter, type AnalysedRow } from './lexical-index.js';

export default async function buildLexicalIndex({ port, claims: buffer }: LexicalBuildTask): Promise<LexicalBuildOutcome> {
  const claims = new BatchClaims(buffer);
  const raw = new Map<number, readonly RawRow[]>();
  const analysed = new Map<number, readonly AnalysedRow[]>();
  let batches: number | null = null;
  let file = '';
  let wake: (() => void) | null = null;
  port.on('message', (message: LexicalBuildMessage) => {
    if (message.kind === 'raw') raw.set(message.batch, message.rows);
    else if (message.kind === 'analysed') analysed.set(message.batch, message.rows);
    else ({ batches, file } = message);
    wake?.();
  });
  const nextMessage = () => new Promise<void>((resolve) => (wake = resolve));
  const writer = new LexicalIndexWriter();
  try {
    const analyzer = createTermAnalyzer();
    for (let batch = 0; ; batch++) {
      while (!raw.has(batch) && !analysed.has(batch) && (batches === null || batch < batches)) await nextMessage();
      if (batches !== null && batch >= batches) break;
      const rows = raw.get(batch);
      raw.delete(batch);
      if (rows && claims.claimNext(batch)) {
        writer.add(analyseRows(analyzer, rows.map((row) => ({ row: row.row, chunk: row }))));
      } else {
        while (!analysed.has(batch)) await nextMessage();
        writer.add(analysed.get(batch)!);
        analysed.delete(batch);
      }
    }
    const db = writer.finish();
    try {
      writeFileSync(file, db.serialize());
      return { written: true };
    } catch (error) {
      return { written: false, code: (error as NodeJS.ErrnoException).code, message: (error as Error).message };
    } finally {
      db.close();
    }
  } catch (error) {
    writer.abandon();
    throw error;
  } finally {
    port.close();
  }
}
