import type { Passage } from '../types.js';
import type { Sentence, SentenceSplitter } from './sentences.js';

/** Reads the sentences around a passage, with exact document offsets. */
export interface PassageSentenceReader {
  /** The sentences of `passage` widened to whole lines (capped), so its first and last sentences are complete. */
  sentencesOf(passage: Pick<Passage, 'docId' | 'start' | 'end'>, documentText: string): readonly Sentence[];
  /** The sentences that share a character with the passage itself: its edge sentences completed, none wholly around it. */
  sentencesIn(passage: Pick<Passage, 'docId' | 'start' | 'end'>, documentText: string): readonly Sentence[];
}

/** Options of {@link createPassageSentenceReader}. */
export interface PassageSentenceReaderOptions {
  /** Characters read beyond a passage's edges to complete its first and last sentences. @default 400 */
  readonly contextChars?: number;
  /** Passage windows whose sentence split is kept (the same passages come back question after question). @default 512 */
  readonly cacheSize?: number;
}

interface CachedWindow {
  readonly text: string;
  readonly sentences: readonly Sentence[];
}

/**
 * Splits passages into sentences for the answerers, keeping the split of recent passage windows (least recently
 * used first out): splitting is the costly step, and overlapping chunks share windows.
 */
export function createPassageSentenceReader(splitter: SentenceSplitter, options: PassageSentenceReaderOptions = {}): PassageSentenceReader {
  const contextChars = options.contextChars ?? 400;
  const cacheSize = options.cacheSize ?? 512;
  const cache = new Map<string, CachedWindow>();
  const reader: PassageSentenceReader = {
    sentencesIn(passage, documentText) {
      return reader.sentencesOf(passage, documentText).filter((s) => s.end > passage.start && s.start < passage.end);
    },
    sentencesOf(passage, documentText) {
      const lineStart = documentText.lastIndexOf('\n', passage.start - 1) + 1;
      const lineEndAt = documentText.indexOf('\n', passage.end);
      const lineEnd = lineEndAt < 0 ? documentText.length : lineEndAt;
      const start = Math.max(lineStart, passage.start - contextChars);
      const end = Math.min(lineEnd, passage.end + contextChars);
      const key = `${passage.docId}\u0000${start}\u0000${end}`;
      const text = documentText.slice(start, end);
      const hit = cache.get(key);
      if (hit && hit.text === text) {
        cache.delete(key);
        cache.set(key, hit);
        return hit.sentences;
      }
      let sentences = splitter.split({ docId: passage.docId, text, offset: start });
      // A sentence cut by the context cap is incomplete: keep it only if the passage itself is inside it.
      sentences = sentences.filter((s) => !((s.start === start && start > lineStart && s.end <= passage.start) || (s.end === end && end < lineEnd && s.start >= passage.end)));
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
      cache.set(key, { text, sentences });
      return sentences;
    },
  };
  return reader;
}
