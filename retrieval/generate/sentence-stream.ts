import type { SentenceSplitter } from '../answer/sentences.js';

/** Markers right after a sentence's end ("… 2023. [1][2] Next…") belong to that sentence, not the next. */
const TRAILING_MARKERS = /^(?:\s*\[[^\]\n]{1,40}\])+/;

/** Cuts a model's streamed reply into whole sentences as they complete. */
export interface SentenceStream {
  /** Adds a piece of the reply; returns the sentences it completed, each with its markers, in order. */
  push(piece: string): string[];
  /** The reply ended: returns what is left, as sentences. */
  end(): string[];
}

/**
 * Splits a streamed reply with the project's sentence splitter (the same one that reads the documents). A sentence
 * is complete once the next one has begun, so markers written after its full stop are still its own; the last one
 * comes out at `end()`.
 */
export function createSentenceStream(splitter: SentenceSplitter): SentenceStream {
  let buffer = '';

  /** Ends of the buffer's sentences, each moved past the markers that follow it. */
  function boundaries(): number[] {
    const ends: number[] = [];
    for (const sentence of splitter.split({ docId: '', text: buffer, offset: 0 })) {
      const last = ends.at(-1) ?? 0;
      if (sentence.end <= last) continue; // a lone marker the previous sentence took
      const markers = TRAILING_MARKERS.exec(buffer.slice(sentence.end));
      ends.push(sentence.end + (markers ? markers[0].length : 0));
    }
    return ends;
  }

  function take(ends: readonly number[]): string[] {
    const out: string[] = [];
    let start = 0;
    for (const end of ends) {
      const text = buffer.slice(start, end).trim();
      if (text !== '') out.push(text);
      start = end;
    }
    buffer = buffer.slice(start);
    return out;
  }

  return {
    push(piece) {
      buffer += piece;
      // Only a full stop, a question or exclamation mark, or a line break can have ended a sentence.
      if (!/[.!?\n]/.test(buffer)) return [];
      const ends = boundaries();
      // The last sentence may go on (or be followed by its markers): it is complete once another one begins.
      return take(ends.slice(0, -1));
    },
    end() {
      const ends = boundaries();
      if (ends.at(-1) !== buffer.length) ends.push(buffer.length);
      return take(ends);
    },
  };
}
