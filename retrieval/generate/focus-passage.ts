import type { PassageSentenceReader } from '../answer/passage-sentences.js';
import type { Sentence } from '../answer/sentences.js';
import { splitWords, type TermNormalizer } from '../answer/terms.js';
import type { Passage } from '../types.js';

/** What {@link focusPassage} reads with. */
export interface PassageFocusTools {
  readonly normalizer: TermNormalizer;
  readonly passageSentences: PassageSentenceReader;
}

/** The distinct content terms of a question. */
export function questionTerms(question: string, normalizer: TermNormalizer): ReadonlySet<string> {
  return new Set(splitWords(question).map((w) => normalizer.term(w.text)).filter((t): t is string => t !== null));
}

function sharedTerms(sentence: Sentence, terms: ReadonlySet<string>): number {
  const seen = new Set<string>();
  for (const token of sentence.tokens) if (token.term !== null && terms.has(token.term)) seen.add(token.term);
  return seen.size;
}

/**
 * The part of a retrieved passage a model is given: the sentence that shares the most of the question's terms and
 * its neighbours, `maxSentences` whole sentences in all, as a passage of its own whose text is exactly
 * `documentText.slice(start, end)` (so verification and citations stay exact). A small model reads a prompt at a
 * few hundred tokens a second on two cores: three whole chunks cost seconds before its first word, while the answer
 * is nearly always in one or two sentences of each. The window grows towards the neighbour that shares more terms,
 * the next one on a tie (a sentence's continuation is likelier to finish its thought). A passage of no more
 * sentences than that, one with no sentence sharing a term, or `maxSentences` 0, is given whole.
 */
export function focusPassage(passage: Passage, question: ReadonlySet<string>, documentText: string, maxSentences: number, tools: PassageFocusTools): Passage {
  if (maxSentences <= 0) return passage;
  const sentences = tools.passageSentences.sentencesIn(passage, documentText);
  if (sentences.length <= maxSentences) return passage;
  const shared = sentences.map((s) => sharedTerms(s, question));
  let best = 0;
  for (let i = 1; i < shared.length; i++) if (shared[i]! > shared[best]!) best = i;
  if (shared[best] === 0) return passage;
  let first = best;
  let last = best;
  while (last - first + 1 < maxSentences) {
    const before = first > 0 ? shared[first - 1]! : -1;
    const after = last < sentences.length - 1 ? shared[last + 1]! : -1;
    if (after >= before) last++;
    else first--;
  }
  const start = sentences[first]!.start;
  const end = sentences[last]!.end;
  return { ...passage, id: `${passage.docId}#${start}-${end}`, start, end, text: documentText.slice(start, end) };
}
