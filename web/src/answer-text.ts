/**
 * Answers carry citation markers `[n]` inside their text. These helpers split answer text into plain
 * text and markers, also while it streams in token by token.
 */

/** A run of answer text, or a citation marker. */
export type AnswerSegment = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'marker'; readonly n: number; readonly raw: string };

const MARKER = /\[(\d{1,4})\]/g;

/** Splits complete answer text into text runs and markers, in order. */
export function splitAnswer(text: string): AnswerSegment[] {
  const segments: AnswerSegment[] = [];
  let last = 0;
  for (const match of text.matchAll(MARKER)) {
    const index = match.index;
    if (index > last) segments.push({ kind: 'text', text: text.slice(last, index) });
    segments.push({ kind: 'marker', n: Number(match[1]), raw: match[0] });
    last = index + match[0].length;
  }
  if (last < text.length) segments.push({ kind: 'text', text: text.slice(last) });
  return segments;
}

/**
 * Splits a streamed answer: holds back a trailing `[`, `[1` ... until it is known whether a marker
 * completes it, so a marker split across tokens still becomes one marker.
 */
export class StreamingAnswerSplitter {
  private pending = '';

  /** Adds a token and returns the segments that are now certain. */
  push(token: string): AnswerSegment[] {
    const text = this.pending + token;
    const partial = /\[\d{0,4}$/.exec(text);
    const cut = partial ? partial.index : text.length;
    this.pending = text.slice(cut);
    return splitAnswer(text.slice(0, cut));
  }

  /** Returns whatever is held back, at the end of the stream. */
  flush(): AnswerSegment[] {
    const rest = this.pending;
    this.pending = '';
    return rest ? [{ kind: 'text', text: rest }] : [];
  }
}
