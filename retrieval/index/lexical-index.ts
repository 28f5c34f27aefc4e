import MiniSearch from 'minisearch';
import type { Chunk } from '../types.js';
import { IndexCorruptError } from '../errors.js';
import { normalizeTerm, tokenize } from '../text/term-analysis.js';

/** One BM25 hit. */
export interface LexicalHit {
  readonly id: string;
  readonly score: number;
}

const MINISEARCH_OPTIONS = {
  idField: 'id',
  fields: ['text', 'heading'],
  storeFields: [],
  tokenize: (text: string) => tokenize(text),
  processTerm: (term: string) => normalizeTerm(term) ?? null,
  searchOptions: { boost: { text: 1, heading: 0.5 }, combineWith: 'OR' as const },
};

/**
 * BM25 full-text index over chunks (MiniSearch's BM25+), with stemming and stop words
 * shared with the answerer so both agree on what a "term" is.
 */
export class LexicalIndex {
  private constructor(private readonly search: MiniSearch<{ id: string; text: string; heading: string }>) {}

  /** Indexes the chunks' text and headings. */
  static build(chunks: readonly Chunk[]): LexicalIndex {
    const mini = new MiniSearch<{ id: string; text: string; heading: string }>(MINISEARCH_OPTIONS);
    mini.addAll(chunks.map((c) => ({ id: c.id, text: c.text, heading: c.heading ?? '' })));
    return new LexicalIndex(mini);
  }

  /**
   * Restores an index saved with `toJSON`.
   * @throws IndexCorruptError naming `file` when the JSON is not a MiniSearch index.
   */
  static fromJSON(json: string, file: string): LexicalIndex {
    try {
      return new LexicalIndex(MiniSearch.loadJSON(json, MINISEARCH_OPTIONS));
    } catch (error) {
      throw new IndexCorruptError(file, (error as Error).message, { cause: error });
    }
  }

  /** Number of indexed chunks. */
  get size(): number {
    return this.search.documentCount;
  }

  /** The best `k` chunks for the query, best first. */
  query(text: string, k: number): LexicalHit[] {
    if (text.trim() === '') return [];
    return this.search
      .search(text)
      .slice(0, k)
      .map((hit) => ({ id: String(hit.id), score: hit.score }));
  }

  /** Serialised form for the index folder. */
  toJSON(): string {
    return JSON.stringify(this.search);
  }
}
