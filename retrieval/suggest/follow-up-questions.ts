/**
 * Follow-up questions for an answer the reader has just read: candidates derived, by the starter questions' rules,
 * from the text around the spans the answer cites (what the reader is already reading about), kept only when the
 * pipeline answers them from that document with something the answer did not already quote. Checked with
 * quote-only asks, as starter questions are, so a configured language model never runs for a suggestion.
 */
import type { Pipeline } from '../pipeline.js';
import { answeredQuestions, type SuggestedQuestion } from './answered-questions.js';
import { questionCandidates, type CandidateSource } from './question-candidates.js';

/** A span an answer cited: its document and offsets into the document's text. */
export interface CitedSpan {
  readonly docId: string;
  readonly start: number;
  readonly end: number;
}

/** What follow-ups are derived from and checked with: the pipeline's documents and its `ask`. */
export type FollowUpQuestionSource = Pick<Pipeline, 'listDocuments' | 'getDocument' | 'ask'>;

/** Options of {@link followUpQuestions}. */
export interface FollowUpQuestionsOptions {
  readonly pipeline: FollowUpQuestionSource;
  /** The answer's citations; those of unknown documents or outside their document's text are ignored. */
  readonly citations: readonly CitedSpan[];
  /** Questions already asked in the conversation (the one just answered included): never suggested again. */
  readonly asked: readonly string[];
  /** Most questions. @default 3 */
  readonly limit?: number;
  /** Most candidates asked. @default 8 */
  readonly maxAsks?: number;
  /** Characters read on each side of a cited span: about a passage. @default 1000 */
  readonly contextChars?: number;
  readonly signal?: AbortSignal;
}

/** Citations read: an answer cites a handful; more only cost reading. */
const MAX_SPANS = 20;
/** Longest part of a cited span read, so a window stays about a passage however long the span. */
const MAX_SPAN_CHARS = 2000;
/** How far a window's edge moves to reach a line or word boundary, so a rule does not read half a word. */
const SNAP_CHARS = 120;

/** A question as compared with the ones asked: case, spacing and the closing question mark do not matter. */
export function foldQuestion(question: string): string {
  return question.toLowerCase().replace(/\s+/gu, ' ').trim().replace(/ ?\?$/u, '');
}

/** The first line (or else word) boundary at or after `at`, looking at most {@link SNAP_CHARS} ahead. */
function snapForward(text: string, at: number): number {
  if (at <= 0) return 0;
  const limit = Math.min(text.length, at + SNAP_CHARS);
  let space = -1;
  for (let i = at; i < limit; i += 1) {
    const c = text[i]!;
    if (c === '\n') return i + 1;
    if (space < 0 && (c === ' ' || c === '\t')) space = i + 1;
  }
  return space >= 0 ? space : at;
}

/** The last line (or else word) boundary at or before `at`, looking at most {@link SNAP_CHARS} back. */
function snapBack(text: string, at: number): number {
  if (at >= text.length) return text.length;
  const limit = Math.max(0, at - SNAP_CHARS);
  let space = -1;
  for (let i = at; i > limit; i -= 1) {
    const c = text[i - 1]!;
    if (c === '\n') return i - 1;
    if (space < 0 && (c === ' ' || c === '\t')) space = i - 1;
  }
  return space >= 0 ? space : at;
}

interface Window {
  readonly docId: string;
  readonly from: number;
  readonly to: number;
}

/**
 * The passages around the valid cited spans, per document, overlapping ones merged, in the order their documents are
 * first cited. Each is at most `2 * contextChars + MAX_SPAN_CHARS` long, so the text read is bounded by the number of
 * spans, not by the documents' length.
 */
function windowsAround(pipeline: FollowUpQuestionSource, spans: readonly CitedSpan[], contextChars: number): CandidateSource[] {
  const byDoc = new Map<string, Window[]>();
  for (const span of spans.slice(0, MAX_SPANS)) {
    const text = pipeline.getDocument(span.docId)?.text;
    if (text === undefined || !Number.isInteger(span.start) || !Number.isInteger(span.end) || span.start < 0 || span.end > text.length || span.start >= span.end) continue;
    const end = Math.min(span.end, span.start + MAX_SPAN_CHARS);
    const from = snapForward(text, Math.max(0, span.start - contextChars));
    const to = snapBack(text, Math.min(text.length, end + contextChars));
    if (from >= to) continue;
    const windows = byDoc.get(span.docId) ?? [];
    windows.push({ docId: span.docId, from, to });
    byDoc.set(span.docId, windows);
  }
  const sources: CandidateSource[] = [];
  for (const [docId, windows] of byDoc) {
    const text = pipeline.getDocument(docId)!.text;
    windows.sort((a, b) => a.from - b.from);
    const merged: Window[] = [];
    for (const w of windows) {
      const last = merged.at(-1);
      if (last && w.from <= last.to) merged[merged.length - 1] = { ...last, to: Math.max(last.to, w.to) };
      else merged.push(w);
    }
    for (const w of merged) sources.push({ id: docId, text: text.slice(w.from, w.to) });
  }
  return sources;
}

const spanKey = (span: CitedSpan) => `${span.docId}\u0000${span.start}\u0000${span.end}`;

/**
 * Up to `limit` questions about what surrounds the answer's cited spans, each answered (quote-only, no history) from
 * its document with at least one citation the answer did not already have, none equal to a question already asked;
 * best first, as the starter questions' rules order them. Empty when no citation is valid.
 */
export async function followUpQuestions(options: FollowUpQuestionsOptions): Promise<SuggestedQuestion[]> {
  const { pipeline } = options;
  const sources = windowsAround(pipeline, options.citations, options.contextChars ?? 1000);
  if (sources.length === 0) return [];
  const asked = new Set(options.asked.map(foldQuestion));
  const cited = new Set(options.citations.slice(0, MAX_SPANS).map(spanKey));
  const candidates = questionCandidates(sources, { documentCount: pipeline.listDocuments().length }).filter((c) => !asked.has(foldQuestion(c.question)));
  return answeredQuestions({
    candidates,
    ask: (request) => pipeline.ask({ ...request, quoteOnly: true }),
    accepts: (result) => result.citations.some((c) => !cited.has(spanKey(c))),
    limit: options.limit ?? 3,
    maxAsks: options.maxAsks ?? 8,
    signal: options.signal,
  });
}
