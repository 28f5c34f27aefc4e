import { ConfigError, throwIfAborted } from '../errors.js';
import type { Chunk, SourceDocument } from '../types.js';
import { findHeadings, headingAt } from './find-headings.js';

/**
 * Split points for prose, strongest first: paragraphs, lines, sentence ends (also before a closing quote),
 * clauses, words, and finally grapheme clusters. `\n\r\n` catches blank lines in CRLF text, which
 * `\n\n` does not match. Each separator stays at the end of the piece before it, so a sentence keeps
 * its full stop and the next chunk starts at the next sentence.
 */
export const PROSE_SEPARATORS: readonly string[] = ['\n\n', '\n\r\n', '\n', '. ', '? ', '! ', '.” ', '?” ', '!” ', '." ', '; ', ', ', ' ', ''];

/** Options of {@link chunkDocument}. */
export interface ChunkDocumentOptions {
  /** Largest chunk, in UTF-16 code units (JavaScript string length), so chunks fit the embedding model. */
  readonly chunkSize: number;
  /** Most characters a chunk repeats from the end of the previous one, so a fact cut at a boundary stays whole in one chunk. */
  readonly chunkOverlap: number;
  /** Cancels chunking of a long document; the promise then rejects with AbortedError. */
  readonly signal?: AbortSignal;
  /**
   * Split points, strongest first. `''` (cut anywhere) is appended when missing, so no chunk exceeds `chunkSize`.
   * @default PROSE_SEPARATORS
   */
  readonly separators?: readonly string[];
}

/** Where a chunk lies in its document: `[start, end)` in JavaScript string indices. */
export interface Span {
  /** Offset of the first character. */
  start: number;
  /** Offset just past the last character. */
  end: number;
}

/**
 * Splits a document into overlapping chunks with exact offsets: `chunk.text === doc.text.slice(start, end)`
 * for every chunk, starts and ends strictly increasing, no chunk starting or ending in whitespace, and every
 * non-whitespace character of the document inside at least one chunk.
 *
 * LangChain's RecursiveCharacterTextSplitter makes every splitting decision. Its pieces are trimmed copies,
 * and in repetitive text (identical paragraphs, rules of dashes, emoji runs) the same piece occurs at several
 * places within one overlap's reach, so searching for them can pick the wrong occurrence. The splitter here
 * therefore records where each merged piece comes from while it splits ({@link ProseSplitter}); should that
 * record ever be unusable (a changed splitter), the pieces are located by search instead
 * ({@link locateChunkSpans}). Either way the text of each chunk is cut from the document, never copied from
 * the splitter. Each chunk's `heading` is the nearest heading at or above its start: of the document's own
 * `headings` when it has them (DOCX heading styles, PDF lines in a larger size), else of {@link findHeadings}.
 * @throws ConfigError when the sizes are not positive integers or the overlap is not smaller than the size.
 * @throws AbortedError when `signal` fires.
 */
export async function chunkDocument(doc: SourceDocument, options: ChunkDocumentOptions): Promise<Chunk[]> {
  const { chunkSize, chunkOverlap, signal } = options;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new ConfigError(`chunkSize must be a positive integer, got ${chunkSize}`);
  if (!Number.isInteger(chunkOverlap) || chunkOverlap < 0 || chunkOverlap >= chunkSize) {
    throw new ConfigError(`chunkOverlap must be an integer from 0 to chunkSize - 1 (${chunkSize - 1}), got ${chunkOverlap}`);
  }
  throwIfAborted(signal);
  const text = doc.text;
  if (text.trim() === '') return [];

  const separators = [...(options.separators ?? PROSE_SEPARATORS)];
  if (separators.at(-1) !== '') separators.push('');
  const ProseSplitter = await (proseSplitter ??= proseSplitterClass());
  const splitter = new ProseSplitter({ chunkSize, chunkOverlap, separators });
  const pieces = await splitter.splitText(text);
  throwIfAborted(signal);

  const traced = splitter.tracedSpans(text, pieces);
  const spans = traced ? normalizeSpans(text, traced) : locateChunkSpans(text, pieces, chunkOverlap);
  // A PDF's or Word document's own headings, when it marks them; otherwise they are guessed from the lines.
  const headings = doc.headings ?? findHeadings(text);
  return spans.map(({ start, end }) => ({
    id: `${doc.id}#${start}-${end}`,
    docId: doc.id,
    start,
    end,
    text: text.slice(start, end),
    heading: headingAt(text, headings, start)?.text ?? null,
  }));
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Code units segmented per `Intl.Segmenter` call; see {@link graphemeClusters}. */
const SEGMENT_WINDOW = 256;

/**
 * The grapheme clusters of `text`, in order, together spelling it exactly. Segmented window by window because
 * V8's `Intl.Segmenter` before Node 22 is quadratic in the string's length (crbug.com/326176949): one call over a
 * 200 KB line without spaces took 70 s. Each window after the first starts at a cluster boundary found by the
 * previous one (its last cluster is segmented again with what follows), so the clusters are those of the whole text;
 * only a single cluster longer than a window is cut, at a code point boundary.
 */
function graphemeClusters(text: string): string[] {
  const clusters: string[] = [];
  let from = 0;
  while (from < text.length) {
    let to = Math.min(text.length, from + SEGMENT_WINDOW);
    if (to < text.length && /[\uD800-\uDBFF]/.test(text[to - 1]!)) to -= 1;
    const window = Array.from(graphemes.segment(text.slice(from, to)), (s) => s.segment);
    if (to < text.length && window.length > 1) window.pop();
    for (const cluster of window) {
      clusters.push(cluster);
      from += cluster.length;
    }
  }
  return clusters;
}

/** Tags for split positions: CJK ideographs then Hangul syllables, none of them whitespace or surrogates. */
const TAG_RANGES = [
  [0x4e00, 0x9fff],
  [0xac00, 0xd7a3],
] as const;
const TAG_COUNT = TAG_RANGES.reduce((n, [from, to]) => n + to - from + 1, 0);
const FILLER = 'x';

function tagChar(index: number): string {
  let r = index % TAG_COUNT;
  for (const [from, to] of TAG_RANGES) {
    if (r <= to - from) return String.fromCharCode(from + r);
    r -= to - from + 1;
  }
  throw new Error('unreachable');
}

function tagIndex(char: number): number {
  let base = 0;
  for (const [from, to] of TAG_RANGES) {
    if (char >= from && char <= to) return base + char - from;
    base += to - from + 1;
  }
  return -1;
}

/**
 * LangChain's recursive splitter with two changes to how a piece of text is cut, and a record of offsets.
 *
 * Cutting: the separator ends the piece before it instead of starting the next (sentence ends stay with
 * their sentence), and the last resort cuts between grapheme clusters (code points for a cluster longer
 * than a chunk), never inside a surrogate pair or an emoji sequence. Every piece is still a verbatim
 * substring, and with `keepSeparator` the splits reach `mergeSplits` in document order, together spelling
 * the whole text exactly once.
 *
 * Recording: `mergeSplits` decides from split lengths alone, so it is handed same-length stand-ins whose
 * first character tags the split's position; which splits form each merged piece is read off its result,
 * and the real piece is rebuilt from the real splits, so the decision stays LangChain's.
 */
/**
 * The splitter class, once defined: one class for every document (a class defined per call made V8 give up on its
 * methods' inline caches: chunking 16k files took 8.5 s instead of 1 s).
 */
let proseSplitter: ReturnType<typeof proseSplitterClass> | undefined;

/**
 * Starts loading the splitter ahead of the first `chunkDocument`, so that importing LangChain overlaps other work
 * (an ingest that knows it has documents to chunk calls it before opening the embedding model).
 */
export function prepareChunker(): void {
  proseSplitter ??= proseSplitterClass();
  // A failed import is reported by the `chunkDocument` that awaits it.
  proseSplitter.catch(() => {});
}

/**
 * The splitter class, defined over LangChain's once its module is first needed: importing it (with LangChain's core)
 * takes about a second, which every process that only serves an existing index (and each answering worker) would
 * otherwise pay at start-up.
 */
async function proseSplitterClass() {
  const { RecursiveCharacterTextSplitter: Base } = await import('@langchain/textsplitters');
  return class ProseSplitter extends Base {
    private cursor = 0;
    private spans: Span[] | null = [];

    constructor(fields: { chunkSize: number; chunkOverlap: number; separators: string[] }) {
      super({ ...fields, keepSeparator: true });
    }

    protected override splitOnSeparator(text: string, separator: string): string[] {
      if (separator === '') {
        return graphemeClusters(text).flatMap((g) => (g.length < this.chunkSize ? [g] : Array.from(g)));
      }
      const pieces: string[] = [];
      let from = 0;
      for (let at = text.indexOf(separator); at !== -1; at = text.indexOf(separator, from)) {
        pieces.push(text.slice(from, at + separator.length));
        from = at + separator.length;
      }
      if (from < text.length) pieces.push(text.slice(from));
      return pieces;
    }

    override async mergeSplits(splits: string[], separator: string): Promise<string[]> {
      // Tags tell splits apart only within TAG_COUNT of each other; a merged piece holds at most chunkSize splits.
      if (this.spans === null || separator !== '' || this.chunkSize >= TAG_COUNT || splits.some((s) => s === '')) {
        this.spans = null;
        return super.mergeSplits(splits, separator);
      }
      const ends: number[] = [];
      let total = 0;
      for (const split of splits) ends.push((total += split.length));
      const startOf = (i: number): number => (i === 0 ? 0 : ends[i - 1]!);
      const standIns = splits.map((split, i) => tagChar(i) + FILLER.repeat(split.length - 1));

      const pieces: string[] = [];
      let previous: { first: number; last: number } | null = null;
      for (const merged of await super.mergeSplits(standIns, separator)) {
        const found: number = previous ? findFirst(tagIndex(merged.charCodeAt(0)), previous.first + 1, previous.last + 1) : 0;
        const last = found === -1 ? -1 : ends.indexOf(startOf(found) + merged.length, found);
        if (last === -1 || merged !== standIns.slice(found, last + 1).join('')) {
          this.spans = null;
          return super.mergeSplits(splits, separator);
        }
        previous = { first: found, last };
        const raw = splits.slice(found, last + 1).join('');
        const piece = raw.trim();
        if (piece === '') continue; // LangChain drops whitespace-only pieces too.
        const start = this.cursor + startOf(found) + (raw.length - raw.trimStart().length);
        this.spans.push({ start, end: start + piece.length });
        pieces.push(piece);
      }
      this.cursor += total;
      return pieces;
    }

    /**
     * The recorded span of every piece, or `null` when the record does not account for exactly these pieces
     * of exactly this text (then the caller searches instead).
     */
    tracedSpans(text: string, pieces: readonly string[]): Span[] | null {
      const spans = this.spans;
      if (spans === null || this.cursor !== text.length || spans.length !== pieces.length) return null;
      return spans.every((span, i) => text.slice(span.start, span.end) === pieces[i]) ? spans : null;
    }
  }
}

/** The index in `[from, to]` whose tag is `tag`; tags repeat every TAG_COUNT, and the range is shorter. */
function findFirst(tag: number, from: number, to: number): number {
  if (tag < 0) return -1;
  const candidate = from + ((tag - (from % TAG_COUNT) + TAG_COUNT) % TAG_COUNT);
  return candidate <= to ? candidate : -1;
}

/**
 * Maps a splitter's pieces (in document order, possibly trimmed or with altered whitespace) back to exact
 * spans of `text`: spans with strictly increasing starts and ends, never starting or ending in whitespace,
 * together covering every non-whitespace character of `text` (stretches no piece accounts for become spans
 * of their own). Each piece is searched for in the window where the next chunk must start: after the
 * previous start, no earlier than `chunkOverlap` before the previous end (the splitter keeps at most that
 * much), no later than the first non-whitespace character after it (the splitter drops only whitespace);
 * failing that, by its non-whitespace characters alone, then anywhere further on. In periodic text the
 * window can hold several equal candidates; the earliest is taken, which keeps the text exact but may
 * place a chunk a period early. Exported so any splitter's output can be turned into citable chunks.
 * @param chunkOverlap the splitter's overlap; bounds how far back the next piece can start.
 */
export function locateChunkSpans(text: string, pieces: readonly string[], chunkOverlap: number): Span[] {
  const spans: Span[] = [];
  let squeezed: Squeezed | null = null;
  for (const piece of pieces) {
    const previous = spans.at(-1);
    const lower = previous ? Math.max(previous.start + 1, previous.end - chunkOverlap) : 0;
    const upper = nextNonWhitespace(text, previous ? previous.end : 0);
    let span = findVerbatim(text, piece, lower, upper);
    if (!span && previous && text.startsWith(piece, previous.start)) {
      // A whitespace-only split at the front of the previous chunk was trimmed away: same start, longer chunk.
      span = { start: previous.start, end: previous.start + piece.length };
    }
    if (!span) {
      squeezed ??= squeeze(text);
      span = alignIgnoringWhitespace(squeezed, piece, lower, upper) ?? findVerbatim(text, piece, lower, text.length) ?? alignIgnoringWhitespace(squeezed, piece, lower, text.length);
    }
    if (span) spans.push(span);
  }
  return normalizeSpans(text, spans);
}

/** Trims spans, drops those inside an earlier one, and adds a span for every uncovered stretch of text. */
function normalizeSpans(text: string, spans: readonly Span[]): Span[] {
  const ordered: Span[] = [];
  for (const raw of spans) {
    const span = trimSpan(text, raw);
    if (span.end <= span.start) continue;
    const previous = ordered.at(-1);
    if (previous && span.start <= previous.start) {
      if (span.end > previous.end) ordered[ordered.length - 1] = span;
    } else if (!previous || span.end > previous.end) {
      ordered.push(span);
    }
  }
  const out: Span[] = [];
  let covered = 0;
  for (const span of [...ordered, { start: text.length, end: text.length }]) {
    if (span.start > covered) {
      const gap = trimSpan(text, { start: covered, end: span.start });
      if (gap.end > gap.start) out.push(gap);
    }
    if (span.end > span.start) out.push(span);
    covered = Math.max(covered, span.end);
  }
  return out;
}

function findVerbatim(text: string, piece: string, lower: number, upper: number): Span | null {
  const at = text.indexOf(piece, lower);
  return at !== -1 && at <= upper ? { start: at, end: at + piece.length } : null;
}

interface Squeezed {
  /** The text without whitespace. */
  readonly chars: string;
  /** Offset in the text of each character of `chars`. */
  readonly offsets: Int32Array;
}

function squeeze(text: string): Squeezed {
  const offsets = new Int32Array(text.length);
  const kept: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (!/\s/.test(c)) offsets[kept.push(c) - 1] = i;
  }
  return { chars: kept.join(''), offsets: offsets.subarray(0, kept.length) };
}

/** Matches the piece's non-whitespace characters in order, whatever whitespace lies between them. */
function alignIgnoringWhitespace(squeezed: Squeezed, piece: string, lower: number, upper: number): Span | null {
  const needle = piece.replace(/\s+/g, '');
  if (needle === '') return null;
  const { chars, offsets } = squeezed;
  let from = 0;
  let high = offsets.length;
  while (from < high) {
    const mid = (from + high) >>> 1;
    if (offsets[mid]! < lower) from = mid + 1;
    else high = mid;
  }
  const k = chars.indexOf(needle, from);
  if (k === -1 || offsets[k]! > upper) return null;
  return { start: offsets[k]!, end: offsets[k + needle.length - 1]! + 1 };
}

function nextNonWhitespace(text: string, from: number): number {
  const pattern = /\S/g;
  pattern.lastIndex = from;
  return pattern.exec(text)?.index ?? text.length;
}

function trimSpan(text: string, span: Span): Span {
  let { start, end } = span;
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return { start, end };
}
