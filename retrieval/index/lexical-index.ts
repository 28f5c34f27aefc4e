import Database from 'better-sqlite3';
import type { Chunk } from '../types.js';
import type { StoredChunk } from './document-store.js';
import { patchTracked, type ByteRange } from './tracked-patch.js';
import { IndexCorruptError, throwIfAborted } from '../errors.js';
import { createTermAnalyzer, type TermAnalyzer } from '../text/term-analysis.js';

/** One BM25 hit. */
export interface LexicalHit {
  readonly id: string;
  readonly score: number;
}

/**
 * The FTS5 table holds each chunk's analysed terms (stemmed, stop words dropped, by `analyzeTerms` through a memoising `createTermAnalyzer`), separated by
 * spaces: the answerer's stop words, folding and stemmer (`text/lexicon.ts`), without its lemmatizer. Terms keep inner dots and hyphens ("3.5",
 * "well-known"), so those are token characters here too: FTS5 must never split a term into two.
 */
const SCHEMA = `
  CREATE VIRTUAL TABLE terms USING fts5(text, heading, tokenize = "unicode61 remove_diacritics 0 tokenchars '.-'");
  CREATE TABLE chunk_ids (row INTEGER PRIMARY KEY, id TEXT NOT NULL);
  CREATE TABLE term_df (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
`;

/** Fills `term_df` (chunks per term) from FTS5's own vocabulary once all rows are in. */
const COUNT_TERMS = `
  CREATE VIRTUAL TABLE temp.term_vocabulary USING fts5vocab(main, terms, 'row');
  INSERT INTO term_df (term, df) SELECT term, doc FROM temp.term_vocabulary;
  DROP TABLE temp.term_vocabulary;
`;

/**
 * A term in at least half the chunks gets an IDF of ~0 from bm25() (it clamps log((N - n + 0.5) / (n + 0.5)) ≤ 0
 * to 1e-6), so it cannot reorder chunks that match a rarer term, yet scoring its postings is most of a query's
 * cost in a large index (~0.2 s per such term at 100k chunks). It is left out of a query that has a rarer term
 * once it is in more than this many chunks; below that, queries are cheap and kept exactly as asked.
 */
const COMMON_TERM_MIN_CHUNKS = 5000;

/** Distinct query tokens an open index remembers the terms of (questions repeat few words; the memo stays small). */
const QUERY_MEMO_MAX_TOKENS = 10_000;

/** Weight of a term in the chunk's heading relative to one in its text (bm25() column weights). */
const HEADING_WEIGHT = 0.5;

/** Chunks per transaction of a full build: one batch of analysis and inserts between turns of the event loop. */
export const LEXICAL_BUILD_BATCH_ROWS = 500;

/** One chunk as the BM25 index stores it: its row, id, and analysed terms of its text and heading, space-separated. */
export interface AnalysedRow {
  readonly row: number;
  readonly id: string;
  readonly text: string;
  readonly heading: string;
}

/** The rows FTS5 stores for these chunks: each one's text and heading through `analyzer`. */
export function analyseRows(analyzer: TermAnalyzer, rows: readonly { readonly row: number; readonly chunk: Pick<Chunk, 'id' | 'text' | 'heading'> }[]): AnalysedRow[] {
  return rows.map(({ row, chunk }) => ({ row, id: chunk.id, text: analyzer.analyze(chunk.text).join(' '), heading: analyzer.analyze(chunk.heading ?? '').join(' ') }));
}

/**
 * FTS5's buffer of pending postings while a full build inserts, in bytes (its default is 1 MiB). Each time the buffer
 * fills, FTS5 writes it out as a new segment and merges segments as it goes; a larger buffer, with every row in one
 * transaction, makes fewer segments to merge: at 100k chunks the inserts take ~1.0 s instead of ~1.8 s. The setting
 * is put back to the default before the file is written, so it does not outlive the build.
 */
const BUILD_HASH_BYTES = 16 * 1024 * 1024;
const DEFAULT_HASH_BYTES = 1024 * 1024;

/**
 * A new BM25 index in memory, filled with analysed rows a batch at a time, all in one transaction (a private
 * in-memory database: nothing else sees it before `finish`). Whoever analyses the terms (this thread or several), the
 * same rows added in the same order make the same database.
 */
export class LexicalIndexWriter {
  private readonly db = new Database(':memory:');
  private readonly addTerms: Database.Statement<[number, string, string]>;
  private readonly addId: Database.Statement<[number, string]>;

  constructor() {
    try {
      this.db.exec(SCHEMA);
      this.db.exec(`INSERT INTO terms (terms, rank) VALUES ('hashsize', ${BUILD_HASH_BYTES})`);
      this.addTerms = this.db.prepare('INSERT INTO terms (rowid, text, heading) VALUES (?, ?, ?)');
      this.addId = this.db.prepare('INSERT INTO chunk_ids (row, id) VALUES (?, ?)');
      this.db.exec('BEGIN');
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  /** Inserts one batch of rows. */
  add(rows: readonly AnalysedRow[]): void {
    for (const { row, id, text, heading } of rows) {
      this.addTerms.run(row, text, heading);
      this.addId.run(row, id);
    }
  }

  /** Merges the index and counts its terms; the database is then the caller's (`LexicalIndex` or `serialize`). */
  finish(): Database.Database {
    this.db.exec('COMMIT');
    this.db.exec(`INSERT INTO terms (terms, rank) VALUES ('hashsize', ${DEFAULT_HASH_BYTES})`);
    // Merges FTS5's segments into one b-tree: smaller file, faster queries.
    this.db.exec(`INSERT INTO terms (terms) VALUES ('optimize')`);
    this.db.exec(COUNT_TERMS);
    return this.db;
  }

  /** Releases the database of a build that will not finish. */
  abandon(): void {
    if (this.db.open) this.db.close();
  }
}

/**
 * BM25 full-text index over chunks: SQLite FTS5 (through better-sqlite3) with its built-in `bm25()` ranking
 * (k1 = 1.2, b = 0.75). It is saved as one SQLite file and opened read-only in place: nothing is rebuilt in memory,
 * and a query reads only the pages it touches. At 100k chunks, checking and opening it takes ~0.3 s; the in-memory
 * JSON index it replaced (MiniSearch) took 8–12 s and 1.9 GB to restore.
 */
export class LexicalIndex {
  private readonly searchStatement: Database.Statement<[string, number], { id: string; score: number }>;
  private readonly chunksWithTerm: Database.Statement<[string], { df: number }>;
  private readonly count: number;
  private readonly queryTerms: TermAnalyzer = createTermAnalyzer(QUERY_MEMO_MAX_TOKENS);

  private constructor(private readonly db: Database.Database) {
    this.searchStatement = db.prepare(
      `SELECT chunk_ids.id AS id, -hits.rank AS score
       FROM (SELECT rowid, bm25(terms, 1.0, ${HEADING_WEIGHT}) AS rank FROM terms WHERE terms MATCH ? ORDER BY rank LIMIT ?) AS hits
       JOIN chunk_ids ON chunk_ids.row = hits.rowid
       ORDER BY hits.rank`,
    );
    this.chunksWithTerm = db.prepare('SELECT df FROM term_df WHERE term = ?');
    this.count = (db.prepare('SELECT count(*) AS n FROM chunk_ids').get() as { n: number }).n;
  }

  /**
   * Indexes the chunks' text and headings, in memory; `serialize` gives the file to save. Rows are analysed by batches,
   * yielding to the event loop between them (100k chunks take about 7 s), so timers such as the index lock's
   * refresh keep running and `signal` is honoured. `ParallelLexicalBuild` builds the same index on a worker thread.
   */
  static async build(chunks: readonly Chunk[], options: { signal?: AbortSignal; batchSize?: number } = {}): Promise<LexicalIndex> {
    const writer = new LexicalIndexWriter();
    try {
      const terms = createTermAnalyzer();
      const batchSize = Math.max(1, options.batchSize ?? LEXICAL_BUILD_BATCH_ROWS);
      for (let from = 0; from < chunks.length; from += batchSize) {
        throwIfAborted(options.signal);
        const batch = chunks.slice(from, Math.min(chunks.length, from + batchSize));
        writer.add(analyseRows(terms, batch.map((chunk, i) => ({ row: from + i, chunk }))));
        await new Promise((resolve) => setImmediate(resolve));
      }
      return new LexicalIndex(writer.finish());
    } catch (error) {
      writer.abandon();
      throw error;
    }
  }

  /**
   * Changes the index file at `file`, a copy of the previous generation's, into this generation's: the chunks of
   * `removeRows` deleted and `add` inserted under their rows, in place: FTS5 deletes and inserts rows itself, and each
   * touched term's chunk count is moved by the rows that gained or lost it. The cost is the changed rows, not the
   * corpus (at 100k chunks a full build takes about 7 s, a patch for one file a few tens of ms). FTS5 merges its
   * segments incrementally as rows arrive, so no `optimize` pass is run. Returns the byte ranges of the file that
   * changed, for its checksum (`patchTracked`).
   */
  static async patch(file: string, change: { readonly removeRows: readonly number[]; readonly add: readonly StoredChunk[] }, options: { signal?: AbortSignal } = {}): Promise<ByteRange[]> {
    return patchTracked(file, async (db) => {
      const termsOfRow = db.prepare<[number], { text: string; heading: string }>('SELECT text, heading FROM terms WHERE rowid = ?');
      const removeTerms = db.prepare('DELETE FROM terms WHERE rowid = ?');
      const removeId = db.prepare('DELETE FROM chunk_ids WHERE row = ?');
      const addTerms = db.prepare('INSERT INTO terms (rowid, text, heading) VALUES (?, ?, ?)');
      const addId = db.prepare('INSERT INTO chunk_ids (row, id) VALUES (?, ?)');
      const moveCount = db.prepare('INSERT INTO term_df (term, df) VALUES (?, ?) ON CONFLICT (term) DO UPDATE SET df = df + excluded.df');
      const dropUnused = db.prepare('DELETE FROM term_df WHERE df <= 0');
      const delta = new Map<string, number>();
      const count = (text: string, heading: string, by: number) => {
        for (const term of new Set(`${text} ${heading}`.split(' '))) if (term !== '') delta.set(term, (delta.get(term) ?? 0) + by);
      };
      const analyzer = createTermAnalyzer();
      db.transaction(() => {
        for (const row of change.removeRows) {
          const stored = termsOfRow.get(row);
          if (!stored) continue;
          count(stored.text, stored.heading, -1);
          removeTerms.run(row);
          removeId.run(row);
        }
      })();
      const addBatch = db.transaction((batch: readonly StoredChunk[]) => {
        for (const { row, id, text, heading } of analyseRows(analyzer, batch)) {
          addTerms.run(row, text, heading);
          addId.run(row, id);
          count(text, heading, 1);
        }
      });
      for (let from = 0; from < change.add.length; from += LEXICAL_BUILD_BATCH_ROWS) {
        throwIfAborted(options.signal);
        addBatch(change.add.slice(from, from + LEXICAL_BUILD_BATCH_ROWS));
        await new Promise((resolve) => setImmediate(resolve));
      }
      db.transaction(() => {
        for (const [term, by] of delta) if (by !== 0) moveCount.run(term, by);
        dropUnused.run();
      })();
    });
  }

  /**
   * Opens an index file written from `serialize`, read-only.
   * @throws IndexCorruptError naming `file` when it is missing or not such an index.
   */
  static open(file: string): LexicalIndex {
    let db: Database.Database | undefined;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
      return new LexicalIndex(db);
    } catch (error) {
      db?.close();
      const reason = (error as NodeJS.ErrnoException).code === 'SQLITE_CANTOPEN' ? 'missing' : (error as Error).message;
      throw new IndexCorruptError(file, reason, { cause: error });
    }
  }

  /** Number of indexed chunks. */
  get size(): number {
    return this.count;
  }

  /** The best `k` chunks for the query, best first; any of its terms may match (OR). */
  query(text: string, k: number): LexicalHit[] {
    if (k <= 0) return [];
    const known = [...new Set(this.queryTerms.analyze(text))]
      .map((term) => ({ term, df: this.chunksWithTerm.get(term)?.df ?? 0 }))
      .filter((t) => t.df > 0);
    if (known.length === 0) return [];
    const informative = known.filter((t) => t.df < COMMON_TERM_MIN_CHUNKS || t.df * 2 < this.count);
    const used = informative.length > 0 ? informative : [known.reduce((a, b) => (b.df < a.df ? b : a))];
    // Terms hold only letters, digits, dots and hyphens; quoting makes each a plain term, never FTS5 syntax.
    return this.searchStatement.all(used.map((t) => `"${t.term}"`).join(' OR '), k);
  }

  /** The whole index as the bytes of one SQLite database file. */
  serialize(): Buffer {
    return this.db.serialize();
  }

  /** Releases the database; queries after this throw. */
  close(): void {
    if (this.db.open) this.db.close();
  }
}
