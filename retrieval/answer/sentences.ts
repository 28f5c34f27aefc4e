import { foldWord } from '../text/lexicon.js';
import { isSpace } from '../text/scan-text.js';
import type { NlpTools } from './nlp.js';
import type { TermNormalizer } from './terms.js';

/** One token of a sentence, positioned in the document. */
export interface SentenceToken {
  /** Document offset of the first character. */
  readonly start: number;
  /** Document offset after the last character. */
  readonly end: number;
  /** Exactly `documentText.slice(start, end)`. */
  readonly text: string;
  /** Universal POS tag from wink (`NOUN`, `PROPN`, `NUM`, …). */
  readonly pos: string;
  /** Folded surface form (lower case, no diacritics). */
  readonly folded: string;
  /** Matching term, or null for stopwords and punctuation. */
  readonly term: string | null;
  /** Starts with an upper-case letter. */
  readonly capitalized: boolean;
}

/** A typed entity wink recognised (DATE, CARDINAL, MONEY, PERCENT, DURATION, ORDINAL, TIME, …). */
export interface SentenceEntity {
  readonly type: string;
  /** Index of the entity's first token in `Sentence.tokens`. */
  readonly first: number;
  /** Index of the entity's last token (inclusive). */
  readonly last: number;
}

/** A sentence as a span of its document: `text === documentText.slice(start, end)`. */
export interface Sentence {
  readonly docId: string;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly tokens: readonly SentenceToken[];
  readonly entities: readonly SentenceEntity[];
}

/** What to split: a stretch of a document and where it starts in that document. */
export interface SplitInput {
  /** The document the text belongs to; copied onto every sentence. */
  readonly docId: string;
  /** The text to split; must equal `documentText.slice(offset, offset + text.length)`. */
  readonly text: string;
  /** Document offset of `text[0]`. */
  readonly offset: number;
}

/** Splits text into sentences with document offsets, tokens and entities. */
export interface SentenceSplitter {
  split(input: SplitInput): Sentence[];
}

/** Most characters skipped between one token and the next when locating wink's tokens in the text. */
const MAX_TOKEN_SKIP = 8;

/** What a token's written form alone decides: the same for every occurrence of the word. */
interface WordForms {
  readonly folded: string;
  readonly term: string | null;
  readonly capitalized: boolean;
}

/** Options of {@link createSentenceSplitter}. */
export interface SentenceSplitterOptions {
  /**
   * Distinct written words whose folded form, term and capitalisation the splitter remembers (the whole memo is
   * dropped when it is full). The same few thousand words make up most passages, and folding a word (Unicode
   * normalisation and four patterns) for every token of every passage was a third of a split. @default 50000
   */
  readonly wordMemoSize?: number;
}

/**
 * Builds a splitter over wink-nlp. wink reports token indices, not character offsets, so each token is
 * located in the source text by scanning forward from the previous token: offsets are exact even when
 * wink normalises spelling, and a line break always ends a sentence (headings and list items stand alone).
 */
export function createSentenceSplitter(tools: NlpTools, normalizer: TermNormalizer, options: SentenceSplitterOptions = {}): SentenceSplitter {
  const { its } = tools;
  const wordMemoSize = Math.max(1, options.wordMemoSize ?? 50_000);
  const memo = new Map<string, WordForms>();
  const formsOf = (word: string): WordForms => {
    let forms = memo.get(word);
    if (forms === undefined) {
      forms = { folded: foldWord(word), term: normalizer.term(word), capitalized: /^\p{Lu}/u.test(word) };
      if (memo.size >= wordMemoSize) memo.clear();
      memo.set(word, forms);
    }
    return forms;
  };
  return {
    split({ docId, text, offset }: SplitInput): Sentence[] {
      if (text.trim().length === 0) return [];
      const doc = tools.read(text);
      const values = doc.tokens().out(its.value) as string[];
      const tags = doc.tokens().out(its.pos) as string[];

      // Locate every token; whitespace tokens (line breaks) become hard sentence breaks.
      const local: ({ start: number; end: number } | null)[] = new Array(values.length);
      const breakAfter = new Set<number>();
      let cursor = 0;
      for (let i = 0; i < values.length; i++) {
        const value = values[i]!;
        if (value.trim().length === 0) {
          local[i] = null;
          if (value.includes('\n')) breakAfter.add(i);
          continue;
        }
        while (cursor < text.length && isSpace(text.charCodeAt(cursor))) {
          if (text[cursor] === '\n') breakAfter.add(i - 1);
          cursor++;
        }
        // Looked for within 8 characters of the cursor only: a search to the end of the text for every token wink
        // spelled differently would be quadratic in the text's length.
        const near = text.startsWith(value, cursor) ? 0 : text.slice(cursor, cursor + MAX_TOKEN_SKIP + value.length).indexOf(value);
        const at = near < 0 ? -1 : cursor + near;
        if (at < 0) {
          local[i] = null;
          continue;
        }
        for (let k = cursor; k < at; k++) if (text[k] === '\n') breakAfter.add(i - 1);
        local[i] = { start: at, end: at + value.length };
        cursor = at + value.length;
      }

      // Sentence token ranges from wink, cut again at line breaks.
      const ranges: [number, number][] = [];
      for (const [first, last] of doc.sentences().out(its.span) as unknown as [number, number][]) {
        let from = first;
        for (let i = first; i <= last; i++) {
          if (breakAfter.has(i) || i === last) {
            ranges.push([from, i]);
            from = i + 1;
          }
        }
      }

      const entitySpans = doc.entities().out(its.span) as unknown as [number, number][];
      const entityTypes = doc.entities().out(its.type) as string[];
      const entityList = entitySpans.map(([first, last], k) => ({ type: entityTypes[k] ?? 'UNKNOWN', first, last }));

      const sentences: Sentence[] = [];
      let entityAt = 0;
      for (const [first, last] of ranges) {
        const tokens: SentenceToken[] = [];
        const indexOf = new Map<number, number>();
        for (let i = first; i <= last; i++) {
          const loc = local[i];
          if (!loc) continue;
          // wink's own string for the token: it was found at `loc`, so it equals `text.slice(loc.start, loc.end)`, and
          // it is hashed already for the memo.
          const raw = values[i]!;
          const forms = formsOf(raw);
          indexOf.set(i, tokens.length);
          tokens.push({
            start: offset + loc.start,
            end: offset + loc.end,
            text: raw,
            pos: tags[i] ?? 'X',
            folded: forms.folded,
            term: forms.term,
            capitalized: forms.capitalized,
          });
        }
        if (tokens.length === 0) continue;
        const entities: SentenceEntity[] = [];
        while (entityAt < entityList.length && entityList[entityAt]!.last < first) entityAt++;
        for (let k = entityAt; k < entityList.length && entityList[k]!.first <= last; k++) {
          const e = entityList[k]!;
          let a = -1;
          let b = -1;
          for (let i = Math.max(e.first, first); i <= Math.min(e.last, last); i++) {
            const t = indexOf.get(i);
            if (t === undefined) continue;
            if (a < 0) a = t;
            b = t;
          }
          if (a >= 0) entities.push({ type: e.type, first: a, last: b });
        }
        const start = tokens[0]!.start;
        const end = tokens[tokens.length - 1]!.end;
        sentences.push({ docId, start, end, text: text.slice(start - offset, end - offset), tokens, entities });
      }
      return joinAfterTitles(mergeDanglingClosers(sentences), text, offset);
    },
  };
}

const CLOSERS = /^[”’"')\]}»]+$/;

/** A sentence made only of closing quotes/brackets belongs to the sentence before it. */
function mergeDanglingClosers(sentences: Sentence[]): Sentence[] {
  const out: Sentence[] = [];
  for (const s of sentences) {
    const prev = out[out.length - 1];
    if (prev && CLOSERS.test(s.text) && s.start === prev.end) {
      out[out.length - 1] = { ...prev, end: s.end, text: prev.text + s.text, tokens: [...prev.tokens, ...s.tokens] };
      continue;
    }
    out.push(s);
  }
  return out;
}

/**
 * Honorifics that wink takes for the end of a sentence when abbreviated ("Rev. Paul T. Stallsworth"); it already
 * knows the common ones (Dr., Mr., St., Gen., Prof.). A title always precedes a name, so it never ends a sentence.
 */
const TITLES = /^(?:rev|revd|fr|msgr|rt|maj|adm|cmdr|supt|insp|pres|ald|mme|mlle|messrs)$/i;

/** A sentence cut after an abbreviated title ("Rev." | "Paul T. Stallsworth, …") is joined to the rest on its line. */
function joinAfterTitles(sentences: Sentence[], text: string, offset: number): Sentence[] {
  const out: Sentence[] = [];
  for (const s of sentences) {
    const prev = out[out.length - 1];
    const [title, dot] = prev ? prev.tokens.slice(-2) : [];
    if (prev && title && dot?.text === '.' && dot.start === title.end && TITLES.test(title.text) && !/\n/.test(text.slice(prev.end - offset, s.start - offset))) {
      const shift = prev.tokens.length;
      const entities = [...prev.entities, ...s.entities.map((e) => ({ ...e, first: e.first + shift, last: e.last + shift }))];
      out[out.length - 1] = { ...prev, end: s.end, text: text.slice(prev.start - offset, s.end - offset), tokens: [...prev.tokens, ...s.tokens], entities };
      continue;
    }
    out.push(s);
  }
  return out;
}
