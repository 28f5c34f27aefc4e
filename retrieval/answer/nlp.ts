import winkNLP, { type ItsHelpers, type WinkMethods } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

/** Reduces a lower-case word to its stem, e.g. `trained` → `train`. */
export type Stemmer = (word: string) => string;

/** Reduces a lower-case word to its dictionary form, irregular ones too, e.g. `gave` → `give`, `mice` → `mouse`. */
export type Lemmatizer = (word: string) => string;

/**
 * The language tools the extractive answerer needs, built once per answerer instance
 * (loading the wink model costs ~100 ms, so it must never happen per question).
 */
export interface NlpTools {
  /** wink-nlp with sentence boundaries, POS tags and its numeric/date entity recogniser. */
  readonly nlp: WinkMethods;
  readonly its: ItsHelpers;
  /** The model's Porter stemmer, shared by question and sentence analysis so their terms match. */
  readonly stem: Stemmer;
  /** The model's lemmatizer, applied to a word on its own (its part of speech guessed without context). */
  readonly lemma: Lemmatizer;
}

/**
 * The one loaded instance per process. This is the single deliberate exception to "no module-level state":
 * wink-eng-lite-web-model itself keeps module state that every `winkNLP(model)` call re-serialises, so each
 * further instance costs more memory until the ~20th throws "Invalid string length". The tools are read-only
 * (no custom entities are ever learnt), so sharing them is safe.
 */
let shared: NlpTools | undefined;

/**
 * Returns wink-nlp with the English lite model, loaded on first use. Negation and sentiment are left out of
 * the pipe: the answerer never reads them and they cost parse time on every passage.
 */
export function createNlpTools(): NlpTools {
  return (shared ??= loadNlpTools());
}

function loadNlpTools(): NlpTools {
  const nlp = winkNLP(model, ['sbd', 'pos', 'ner']);
  const porter = model.addons.stem as unknown as (word: string) => string;
  if (typeof porter !== 'function') throw new Error('wink-eng-lite-web-model has no stem addon: reinstall wink-eng-lite-web-model');
  // wink-nlp's typings declare `its.lemma` with an addons parameter `out()` does not accept, though it passes one.
  const itsLemma = nlp.its.lemma as unknown as typeof nlp.its.value;
  const lemma: Lemmatizer = (word) => (nlp.readDoc(word).tokens().out(itsLemma)[0] as string | undefined) ?? word;
  return { nlp, its: nlp.its, stem: (word) => porter(word), lemma };
}
