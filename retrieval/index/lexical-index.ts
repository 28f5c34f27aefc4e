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
   * Indexes the chunks' text and headings, in memory; `serialize` gives the file to save. Rows go in by batches,
   * yielding to the event loop between them (100k chunks take about 7 s), so timers such as the index lock's
   * refresh keep running and `signal` is honoured.
   */
  static async build(chunks: readonly Chunk[], options: { signal?: AbortSignal; batchSize?: number } = {}): Promise<LexicalIndex> {
    const db = new Database(':memory:');
    try {
      db.exec(SCHEMA);
      const addTerms = db.prepare('INSERT INTO terms (rowid, text, heading) VALUES (?, ?, ?)');
      const addId = db.prepare('INSERT INTO chunk_ids (row, id) VALUES (?, ?)');
      const terms = createTermAnalyzer();
      const addBatch = db.transaction((from: number, to: number) => {
        for (let row = from; row < to; row++) {
          const chunk = chunks[row]!;
          addTerms.run(row, terms.analyze(chunk.text).join(' '), terms.analyze(chunk.heading ?? '').join(' '));
          addId.run(row, chunk.id);
        }
      });
      const batchSize = Math.max(1, options.batchSize ?? 500);
      for (let from = 0; from < chunks.length; from += batchSize) {
        throwIfAborted(options.signal);
        addBatch(from, Math.min(chunks.length, from + batchSize));
        await new Promise((resolve) => setImmediate(resolve));
      }
      // Merges FTS5's segments into one b-tree: smaller file, faster queries.
      db.exec(`INSERT INTO terms (terms) VALUES ('optimize')`);
      db.exec(COUNT_TERMS);
      return new LexicalIndex(db);
    } catch (error) {
      db.close();
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
        for (const { row, chunk } of batch) {
          const text = analyzer.analyze(chunk.text).join(' ');
          const heading = analyzer.analyze(chunk.heading ?? '').join(' ');
          addTerms.run(row, text, heading);
          addId.run(row, chunk.id);
          count(text, heading, 1);
        }
      });
      for (let from = 0; from < change.add.length; from += 500) {
        throwIfAborted(options.signal);
        addBatch(change.add.slice(from, from + 500));
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
