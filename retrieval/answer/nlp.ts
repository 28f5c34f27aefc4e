import { createRequire } from 'node:module';
import type { Document, ItsHelpers, WinkMethods } from 'wink-nlp';
import { stem } from '../text/lexicon.js';
import { isSpace } from '../text/scan-text.js';

/** Reduces a lower-case word to its stem, e.g. `trained` → `train`. */
export type Stemmer = (word: string) => string;

/** Reduces a lower-case word to its dictionary form, irregular ones too, e.g. `gave` → `give`, `mice` → `mouse`. */
export type Lemmatizer = (word: string) => string;

/**
 * The language tools the extractive answerer needs, built once per answerer instance
 * (loading the wink model costs ~100 ms, so it must never happen per question).
 */
export interface NlpTools {
  /** wink-nlp with sentence boundaries, POS tags and its numeric/date entity recogniser (loaded when first read). */
  readonly nlp: WinkMethods;
  readonly its: ItsHelpers;
  /**
   * The lexicon's Porter2 stemmer, the one BM25 terms are stemmed with too: shared by question and sentence analysis
   * so their terms match. (The model's own `stem` addon is a copy of the same wink-porter2-stemmer code.)
   */
  readonly stem: Stemmer;
  /** The model's lemmatizer, applied to a word on its own (its part of speech guessed without context). */
  readonly lemma: Lemmatizer;
  /** `nlp.readDoc` in linear time: on the text as {@link textForWink} gives it. Read passages and questions with this. */
  readonly read: (text: string) => Document;
  /**
   * Loads the model now rather than on the first read: an answering worker does at start-up, so no ask pays for it.
   * A thread that only serves lookups (the server's own) never calls anything that loads it, and does without it.
   */
  readonly load: () => void;
}

/**
 * Longest run of characters without a space that wink-nlp is given whole. wink's tokenizer peels punctuation off
 * a space-free run one piece at a time, matching its e-mail and URL patterns against the rest each time: the work
 * is quadratic in the run's length (1.9 s for a run of 20,000 `?`). Past this length a run is cut with a space.
 */
export const MAX_WINK_RUN_CHARS = 200;

/**
 * The text as wink-nlp should read it, the same length so that its tokens sit at their offsets in the original:
 * - one character (or surrogate pair) of a space-free run becomes a space every {@link MAX_WINK_RUN_CHARS}
 *   characters (that character then belongs to no token);
 * - in a stretch of spaces, only the first line break stays one: wink's pattern matcher rescans the following
 *   line-break tokens from each of them, quadratic in their number (0.3 s for 10,000 blank lines). The sentence
 *   splitter finds line breaks in the original text, so none is lost.
 * Ordinary text has neither and comes back unchanged.
 */
export function textForWink(text: string): string {
  let out: string[] | null = null;
  let copied = 0;
  let run = 0;
  let lineBreakInSpaces = false;
  const replace = (at: number, length: number) => {
    (out ??= []).push(text.slice(copied, at), ' '.repeat(length));
    copied = at + length;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      run = 0;
      if (c === 0x0a || c === 0x0d) {
        if (lineBreakInSpaces) replace(i, 1);
        else lineBreakInSpaces = c === 0x0a;
      }
      continue;
    }
    lineBreakInSpaces = false;
    // Never cut between the halves of a surrogate pair: wait for the pair's first half.
    if (++run <= MAX_WINK_RUN_CHARS || (c >= 0xdc00 && c <= 0xdfff)) continue;
    const pair = c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
    replace(i, pair);
    i += pair - 1;
    run = 0;
  }
  return out === null ? text : (out as string[]).join('') + text.slice(copied);
}

/**
 * The one loaded instance per process. This is the single deliberate exception to "no module-level state":
 * wink-eng-lite-web-model itself keeps module state that every `winkNLP(model)` call re-serialises, so each
 * further instance costs more memory until the ~20th throws "Invalid string length". The tools are read-only
 * (no custom entities are ever learnt), so sharing them is safe.
 */
let shared: NlpTools | undefined;

/**
 * Returns the tools; wink-nlp with the English lite model is loaded on first use (~40 MiB and ~100 ms per thread).
 * Negation and sentiment are left out of the pipe: the answerer never reads them and they cost parse time on every
 * passage.
 */
export function createNlpTools(): NlpTools {
  return (shared ??= lazyNlpTools());
}

function lazyNlpTools(): NlpTools {
  const require = createRequire(import.meta.url);
  let loaded: { readonly nlp: WinkMethods; readonly lemma: Lemmatizer } | null = null;
  const load = () => (loaded ??= loadWink(require));
  return {
    get nlp() {
      return load().nlp;
    },
    // wink's `its` helpers are a module of their own (every instance's `nlp.its` is it): no model needed.
    its: require('wink-nlp/src/its.js') as ItsHelpers,
    stem,
    lemma: (word) => load().lemma(word),
    read: (text) => load().nlp.readDoc(textForWink(text)),
    load: () => void load(),
  };
}

function loadWink(require: NodeJS.Require): { readonly nlp: WinkMethods; readonly lemma: Lemmatizer } {
  const winkNLP = require('wink-nlp') as typeof import('wink-nlp').default;
  const nlp = winkNLP(require('wink-eng-lite-web-model') as Parameters<typeof winkNLP>[0], ['sbd', 'pos', 'ner']);
  // wink-nlp's typings declare `its.lemma` with an addons parameter `out()` does not accept, though it passes one.
  const itsLemma = nlp.its.lemma as unknown as typeof nlp.its.value;
  // A word too long to be cut is not a word anyone asks about; it stays as written.
  const lemma: Lemmatizer = (word) => (word.length > MAX_WINK_RUN_CHARS ? word : ((nlp.readDoc(word).tokens().out(itsLemma)[0] as string | undefined) ?? word));
  return { nlp, lemma };
}
