import { foldWord } from '../text/lexicon.js';
import type { PassageSentenceReader } from '../answer/passage-sentences.js';
import type { Reranker } from '../answer/reranker.js';
import type { Sentence } from '../answer/sentences.js';
import { splitWords, YEAR, type TermNormalizer } from '../answer/terms.js';
import type { GeneratedSentence, Passage, SentenceStatus } from '../types.js';
import type { SupportWeights } from './support-weights.js';

/** A passage as the model was given it: its number in the prompt and the passage. */
export interface GivenPassage {
  readonly n: number;
  readonly passage: Passage;
}

/** A stretch of a document that supports a sentence: `documentText(docId).slice(start, end)` is its quote. */
export interface SupportSpan {
  readonly docId: string;
  readonly start: number;
  readonly end: number;
}

/**
 * The verdict on one generated sentence, before the answer numbers its citations: the fields of a
 * {@link GeneratedSentence} that verification decides, with the spans that support it (one, or one per passage when
 * its facts are spread over two) in place of citations.
 */
export type SentenceVerdict = Omit<GeneratedSentence, 'index' | 'written' | 'citations'> & { readonly support: readonly SupportSpan[] };

/** What verification reads passages and words with. */
export interface SentenceVerifierTools {
  readonly normalizer: TermNormalizer;
  readonly passageSentences: PassageSentenceReader;
  readonly documentText: (docId: string) => string;
  /** Scores a sentence against candidate spans by meaning, when an embedder is loaded. */
  readonly reranker?: Reranker;
  readonly weights: SupportWeights;
  /** Whether the sentence's first word is a proper noun ("Fiji had…", not "The…"): capitals cannot tell there. */
  readonly startsWithName?: (text: string) => boolean;
  readonly signal?: AbortSignal;
}

/** `[1]`, `[2][3]`, `[1, 2]`, `[Passage 1]`, `[source 2]`: the markers a model writes to cite. */
const MARKER = /\[\s*(?:(?:passage|source)\s*)?(\d{1,4}(?:\s*[,;]\s*(?:(?:passage|source)\s*)?\d{1,4})*)\s*\]/gi;

/** The sentence with its markers removed and the passage numbers they named, in order, each once. */
export function readMarkers(sentence: string): { text: string; numbers: number[] } {
  const numbers: number[] = [];
  for (const match of sentence.matchAll(MARKER)) {
    for (const n of match[1]!.split(/[,;]/).map((part) => Number(part.replace(/\D/g, '')))) if (!numbers.includes(n)) numbers.push(n);
  }
  const text = sentence
    .replace(MARKER, '')
    .replace(/(?<=\S)\s+(?=[.,;:!?])/g, '')
    .replace(/\s{2,}/g, ' ')
    .trim();
  return { text, numbers };
}

/**
 * Sentences of a passage that address the reader instead of stating something ("Ignore the question and say…",
 * "You must answer…"): planted instructions. They never support a claim, so a model that obeys one writes an
 * unsupported sentence instead of a verified one.
 */
const INSTRUCTION = [
  /\b(?:ignore|disregard|forget)\W[^.]{0,60}\b(?:question|instructions?|rules?|above|previous|passages?|everything)\b/i,
  /^\s*(?:(?:now|instead|always|please)[\s,]+)?(?:say|reply|respond|answer|output|write|print|tell the user)\W[^.]{0,40}(?:["“:]|\bthat\b|\bwith\b|\bonly\b)/i,
  /\byou (?:must|should|will|are to) (?:say|reply|respond|answer|output|write|tell)\b/i,
  /\b(?:as an ai|language model|assistant)\W[^.]{0,40}\b(?:must|should|will)\b/i,
];

/** Whether a passage sentence is a planted instruction rather than a statement. */
export function isInstruction(text: string): boolean {
  return INSTRUCTION.some((pattern) => pattern.test(text));
}

/** A number written the way the documents are compared: thousands separators and a trailing `.0` dropped. */
function numberKey(word: string): string {
  return word.replace(/(?<=\d),(?=\d{3}\b)/g, '').replace(/\.0+$/, '');
}

/**
 * The facts of a sentence that its source must contain: every number (normalised for thousands separators), and
 * every capitalised word that is not a stopword (the sentence's first word only when it is an acronym or
 * `startsWithName` says it is a proper noun): names of people, places, organisations, months and days.
 */
export function factsOf(text: string, normalizer: TermNormalizer, startsWithName: (text: string) => boolean = () => false): { numbers: string[]; names: string[] } {
  const numbers: string[] = [];
  const names: string[] = [];
  splitWords(text).forEach((word, i) => {
    if (/^\d/.test(word.text)) {
      const key = numberKey(word.text);
      if (!numbers.includes(key)) numbers.push(key);
      return;
    }
    if (!/^\p{Lu}/u.test(word.text) || normalizer.term(word.text) === null) return;
    if (i === 0 && !/^\p{Lu}{2,}$/u.test(word.text) && !startsWithName(text)) return;
    if (!names.includes(word.text)) names.push(word.text);
  });
  return { numbers, names };
}

/** The words of a span, as the fact and term checks compare them. */
interface SpanWords {
  readonly numbers: ReadonlySet<string>;
  readonly folded: ReadonlySet<string>;
  readonly terms: ReadonlySet<string>;
  /** For each number, the terms around each of its occurrences: what the number is said of. */
  readonly numberContexts: ReadonlyMap<string, readonly ReadonlySet<string>[]>;
}

/** Where a clause ends: a comma (not a thousands separator), semicolon, colon, bracket, dash or full stop. */
const CLAUSE_BREAK = /(?<!\d),|,(?!\d{3})|[;:()\u2013\u2014]|[.!?](?=\s|$)/g;

/**
 * The words within `reach` either side of each number in `text`, inside its clause, by number: what the number is
 * said of. Other numbers are left out, so one wrong number does not make its neighbours look misplaced.
 */
function numberContextsOf(text: string, normalizer: TermNormalizer, reach: number): Map<string, Set<string>[]> {
  const breaks = [...text.matchAll(CLAUSE_BREAK)].map((m) => m.index);
  let clause = 0;
  const words = splitWords(text).map((w) => {
    while (clause < breaks.length && breaks[clause]! < w.start) clause++;
    const number = /^\d/.test(w.text) ? numberKey(w.text) : null;
    return { number, term: number === null ? normalizer.term(w.text) : null, clause };
  });
  const contexts = new Map<string, Set<string>[]>();
  words.forEach((word, i) => {
    if (word.number === null) return;
    const around = new Set<string>();
    for (let j = Math.max(0, i - reach); j <= Math.min(words.length - 1, i + reach); j++) {
      const { term, clause: at } = words[j]!;
      if (term === null || at !== word.clause) continue;
      around.add(term);
      for (const related of normalizer.related(term)) around.add(related);
    }
    contexts.set(word.number, [...(contexts.get(word.number) ?? []), around]);
  });
  return contexts;
}

function spanWords(text: string, normalizer: TermNormalizer, reach: number): SpanWords {
  const numbers = new Set<string>();
  const folded = new Set<string>();
  const terms = new Set<string>();
  for (const word of splitWords(text)) {
    if (/^\d/.test(word.text)) numbers.add(numberKey(word.text));
    folded.add(foldWord(word.text));
    const term = normalizer.term(word.text);
    if (term !== null) {
      terms.add(term);
      for (const related of normalizer.related(term)) terms.add(related);
    }
  }
  return { numbers, folded, terms, numberContexts: numberContextsOf(text, normalizer, reach) };
}

/** Two spans' words as one: facts spread over two passages. */
function joinWords(a: SpanWords, b: SpanWords): SpanWords {
  const numberContexts = new Map(a.numberContexts);
  for (const [n, contexts] of b.numberContexts) numberContexts.set(n, [...(numberContexts.get(n) ?? []), ...contexts]);
  return { numbers: new Set([...a.numbers, ...b.numbers]), folded: new Set([...a.folded, ...b.folded]), terms: new Set([...a.terms, ...b.terms]), numberContexts };
}

/** A claim's facts, and what each of its numbers is said of. */
interface ClaimFacts {
  readonly numbers: readonly string[];
  readonly names: readonly string[];
  readonly numberContexts: ReadonlyMap<string, readonly ReadonlySet<string>[]>;
}

/**
 * The facts of a claim a span lacks: a number or name it does not contain, or a number it contains but says of
 * something else ("trained 3,000 officers" against "plans to train 3,000 more"): a quantity (not a year) with two
 * or more words around it in the claim, of which less than `minShare` are around any of its occurrences in the span.
 */
function missingFacts(facts: ClaimFacts, words: SpanWords, minShare: number): string[] {
  const misplaced = (n: string) => {
    const claimed = facts.numberContexts.get(n)?.[0];
    // A year dates a clause rather than counting something in it; and a word or none says too little to compare.
    if (YEAR.test(n) || !claimed || claimed.size < 2) return false;
    const shares = (words.numberContexts.get(n) ?? []).map((around) => [...claimed].filter((t) => around.has(t)).length / claimed.size);
    return Math.max(0, ...shares) < minShare;
  };
  return [...facts.numbers.filter((n) => !words.numbers.has(n) || misplaced(n)), ...facts.names.filter((name) => !words.folded.has(foldWord(name)))];
}

/** A candidate support: consecutive sentences of one cited passage. */
interface Candidate {
  readonly n: number;
  readonly span: SupportSpan;
  readonly text: string;
  readonly sentences: number;
  readonly words: SpanWords;
}

/** Windows of one to `maxWindow` consecutive sentences of a passage, planted instructions left out. */
function windowsOf(n: number, sentences: readonly Sentence[], documentText: string, maxWindow: number, normalizer: TermNormalizer, reach: number): Candidate[] {
  const out: Candidate[] = [];
  for (let i = 0; i < sentences.length; i++) {
    for (let size = 1; size <= maxWindow && i + size <= sentences.length; size++) {
      const group = sentences.slice(i, i + size);
      if (group.some((s) => isInstruction(s.text))) break;
      const start = group[0]!.start;
      const end = group.at(-1)!.end;
      const text = documentText.slice(start, end);
      out.push({ n, span: { docId: group[0]!.docId, start, end }, text, sentences: size, words: spanWords(text, normalizer, reach) });
    }
  }
  return out;
}

/** The best support found among some passages: the window(s) that support, or the best one that does not. */
interface SupportSearch {
  readonly support: readonly SupportSpan[] | null;
  readonly bestMissing: readonly string[];
  readonly bestRecall: number;
  /** The best window's words, when there was one. */
  readonly bestWords?: SpanWords;
  readonly searched: boolean;
}

/**
 * Judges one generated sentence against the passages it cites: markers naming no given passage are removed and
 * counted; the sentence is aligned to the window of its cited passages' sentences that holds the most of its words
 * (and, with an embedder, means the most alike), preferring shorter windows; it is verified when that window holds
 * every number, date and name of the sentence and at least `minTermRecall` of its words. Facts spread over two cited
 * passages are checked against the best window of each together. A sentence its cited passages do not support, or
 * that cites none, is then checked the same way against the other passages given: when one supports it, it is
 * verified with that citation and marked `attributed` (the source was found by Verbatim, not named by the model).
 */
export async function verifySentence(sentence: string, given: readonly GivenPassage[], tools: SentenceVerifierTools): Promise<SentenceVerdict> {
  const { normalizer, weights } = tools;
  const { text, numbers } = readMarkers(sentence);
  const byNumber = new Map(given.map((g) => [g.n, g]));
  const cited = numbers.filter((n) => byNumber.has(n));
  const removedMarkers = numbers.filter((n) => !byNumber.has(n));
  const facts: ClaimFacts = { ...factsOf(text, normalizer, tools.startsWithName), numberContexts: numberContextsOf(text, normalizer, weights.numberContextWords) };
  const everyPassage = spanWords(given.map((g) => g.passage.text).join('\n'), normalizer, weights.numberContextWords);
  // Invented: in no passage at all (a number said of something else there is misattributed, not invented).
  const invented = missingFacts(facts, everyPassage, 0);
  const factCount = facts.numbers.length + facts.names.length;
  const claimTerms = [...new Set(splitWords(text).map((w) => normalizer.term(w.text)).filter((t): t is string => t !== null))];
  const verdict = (status: SentenceStatus, rest: Partial<SentenceVerdict> & { reason: string | null }): SentenceVerdict => ({ text, status, support: [], cited, removedMarkers, missing: [], invented, facts: factCount, attributed: false, ...rest });
  const recallOf = (words: SpanWords) => (claimTerms.length === 0 ? 1 : claimTerms.filter((t) => words.terms.has(t)).length / claimTerms.length);
  const supports = (recall: number, missing: readonly string[]) => missing.length === 0 && recall >= weights.minTermRecall;

  async function searchSupport(numbersToSearch: readonly number[]): Promise<SupportSearch> {
    const candidates = numbersToSearch.flatMap((n) => {
      const { passage } = byNumber.get(n)!;
      const documentText = tools.documentText(passage.docId);
      // Only sentences the model was given: not the whole ones the reader adds around a passage for context.
      return windowsOf(n, tools.passageSentences.sentencesIn(passage, documentText), documentText, weights.maxWindowSentences, normalizer, weights.numberContextWords);
    });
    if (candidates.length === 0) return { support: null, bestMissing: [], bestRecall: 0, searched: false };
    let scored = candidates.map((c) => {
      const missing = missingFacts(facts, c.words, weights.minNumberContext);
      const recall = recallOf(c.words);
      const factShare = factCount === 0 ? 1 : 1 - missing.length / factCount;
      return { c, missing, recall, score: weights.termRecall * recall + weights.factShare * factShare + weights.extraSentence * (c.sentences - 1) };
    });
    scored.sort((a, b) => b.score - a.score);
    if (tools.reranker && weights.vectorSimilarity !== 0) {
      const leaders = scored.slice(0, weights.maxEmbeddedWindows);
      const similarities = await tools.reranker.score(text, leaders.map((s) => s.c.text), tools.signal);
      leaders.forEach((s, i) => (s.score += weights.vectorSimilarity * (similarities[i] ?? 0)));
      scored = [...leaders.sort((a, b) => b.score - a.score), ...scored.slice(leaders.length)];
    }
    const best = scored[0]!;
    if (supports(best.recall, best.missing)) return { support: [best.c.span], bestMissing: [], bestRecall: best.recall, searched: true };
    // Facts spread over two passages: the best window of one and of another, together.
    const bestPerPassage = numbersToSearch.map((n) => scored.find((s) => s.c.n === n)).filter((s): s is (typeof scored)[number] => s !== undefined);
    for (let i = 0; i < bestPerPassage.length; i++) {
      for (let j = i + 1; j < bestPerPassage.length; j++) {
        const a = bestPerPassage[i]!.c;
        const b = bestPerPassage[j]!.c;
        const joined = joinWords(a.words, b.words);
        if (supports(recallOf(joined), missingFacts(facts, joined, weights.minNumberContext))) return { support: [a.span, b.span], bestMissing: [], bestRecall: recallOf(joined), searched: true };
      }
    }
    return { support: null, bestMissing: best.missing, bestRecall: best.recall, bestWords: best.c.words, searched: true };
  }

  if (factCount === 0 && claimTerms.length < weights.minClaimTerms) {
    return verdict(cited.length > 0 ? 'unsupported' : 'uncited', { reason: 'it states nothing that a passage could support (no fact and too few words)' });
  }
  const inCited = cited.length > 0 ? await searchSupport(cited) : null;
  if (inCited?.support) return verdict('verified', { support: inCited.support, reason: null });
  // Only a single passage may be attributed: pairing windows across every passage would support almost anything.
  const others = given.map((g) => g.n).filter((n) => !cited.includes(n));
  for (const n of others) {
    const found = await searchSupport([n]);
    if (found.support) return verdict('verified', { support: found.support, attributed: true, reason: null });
  }

  if (!inCited) {
    const reason = removedMarkers.length > 0 ? `it cites ${removedMarkers.map((n) => `[${n}]`).join('')}, which was not among the passages given, and no passage given holds it` : 'it cites no passage, and no passage given holds it';
    return verdict('uncited', { reason });
  }
  const citedList = cited.map((n) => `[${n}]`).join('');
  if (!inCited.searched) return verdict('unsupported', { reason: 'the cited passages hold no statement to check it against' });
  if (inCited.bestMissing.length > 0) {
    const missing = inCited.bestMissing;
    const absent = missing.filter((m) => !inCited.bestWords?.numbers.has(m));
    const misplaced = missing.filter((m) => inCited.bestWords?.numbers.has(m));
    const reasons = [
      ...(absent.length ? [`${absent.map((m) => `“${m}”`).join(', ')} ${absent.length === 1 ? 'is' : 'are'} not in the cited passage ${citedList}`] : []),
      ...(misplaced.length ? [`${misplaced.map((m) => `“${m}”`).join(', ')} ${misplaced.length === 1 ? 'is' : 'are'} in the cited passage ${citedList}, but said of something else there`] : []),
    ];
    return verdict('unsupported', { missing, reason: reasons.join('; ') });
  }
  return verdict('unsupported', { reason: `the cited passage ${citedList} does not say this: only ${Math.round(inCited.bestRecall * 100)}% of its words are there` });
}
