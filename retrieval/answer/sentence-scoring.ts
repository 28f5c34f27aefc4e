import { classOfKind, type QuestionAnalysis } from './question-analysis.js';
import type { Sentence, SentenceToken } from './sentences.js';
import { rankCandidates, type AnswerCandidate, type CandidateWeights, type ShortAnswerContext, type TermMatch } from './short-answer.js';
import type { TermNormalizer } from './terms.js';
import { combine, type LinearModel } from './weighted-features.js';

/** A sentence from a retrieved passage, before scoring. */
export interface CandidateSentence {
  readonly sentence: Sentence;
  /** 0-based rank of the best passage the sentence came from. */
  readonly passageRank: number;
  /** The sentences just before and after it in the document, whose terms count as context. */
  readonly neighbours?: readonly Sentence[];
}

/** One thing the evidence should mention: a question term or a term carried over from the conversation. */
export interface TermGroup {
  /** The question's own term. */
  readonly term: string;
  /** Importance before rarity: 1 for question terms, less for the focus noun. */
  readonly weight: number;
  /** Sentence terms that count as this one, with the credit each earns (1 exact, less for family words). */
  readonly members: ReadonlyMap<string, number>;
  /** Whether the term came from the conversation rather than the question. */
  readonly carried: boolean;
  /** For an all-capitals question word ("IISS"): the letters, matched against initials ("International Institute for Strategic Studies"). */
  readonly acronym: string | null;
}

/** A sentence with the evidence that it answers the question. */
export interface ScoredSentence extends CandidateSentence {
  readonly score: number;
  /** Rarity-weighted share of the question's own terms the sentence contains, 0–1. */
  readonly coverage: number;
  /** Coverage counting, at half credit, terms found only in the neighbouring sentences. */
  readonly contextCoverage: number;
  /** Share of the carried (conversation) terms found in the sentence or, at half credit, its neighbours. */
  readonly carriedCoverage: number;
  /** Positions of matched terms, for short-answer extraction. */
  readonly matches: readonly TermMatch[];
  /** Terms (group keys) the sentence matched. */
  readonly matchedTerms: ReadonlySet<string>;
  /** The best answer phrase inside the sentence, if any. */
  readonly best: AnswerCandidate | null;
  /** The best few answer phrases inside the sentence, best first (`answers[0] === best`). */
  readonly answers: readonly AnswerCandidate[];
  /** The named features `score` combines. */
  readonly features: SentenceFeatures;
}

/** Answer phrases kept per sentence for the short-answer model to choose from. */
const MAX_KEPT_CANDIDATES = 5;

/** The named features of an evidence sentence, each described at its weight in {@link SentenceScoringWeights}. */
export const SENTENCE_FEATURES = ['coverage', 'context', 'continuation', 'carried', 'answerType', 'proximity', 'bigrams', 'passageRank', 'vector', 'repeatsQuestion', 'anchorAbsent', 'short'] as const;

/** One value per {@link SENTENCE_FEATURES} name. */
export type SentenceFeatures = Readonly<Record<(typeof SENTENCE_FEATURES)[number], number>>;

/** The sentence weights as a linear model over {@link SentenceFeatures}; penalties subtract. */
export function sentenceModel(w: SentenceScoringWeights): LinearModel<(typeof SENTENCE_FEATURES)[number]> {
  return {
    bias: 0,
    weights: {
      coverage: w.coverage,
      context: w.context,
      continuation: w.continuation ?? 0,
      carried: w.carried,
      answerType: w.answerType,
      proximity: w.proximity,
      bigrams: w.bigrams,
      passageRank: w.passageRank,
      vector: w.vector,
      repeatsQuestion: -w.repeatsQuestion,
      anchorAbsent: -(w.anchorAbsent ?? 0),
      short: -(w.short ?? 0.3),
    },
  };
}

/** Relative weights of the sentence-ranking signals. */
export interface SentenceScoringWeights {
  /** Rarity-weighted share of question terms found. @default 1 */
  readonly coverage: number;
  /** Extra coverage from terms in the neighbouring sentences ("It was founded in 1901" after "The Institute…"). @default 0.25 */
  readonly context: number;
  /** Share of terms carried from the conversation (the subject of a follow-up). @default 0.35 */
  readonly carried: number;
  /** An answer phrase of the expected type is present (scaled by its fit). @default 0.35 */
  readonly answerType: number;
  /** Matched terms close together. @default 0.15 */
  readonly proximity: number;
  /** Consecutive question words found consecutively. @default 0.15 */
  readonly bigrams: number;
  /** Prior from the rank of the passage the sentence came from. @default 0.08 */
  readonly passageRank: number;
  /** Cosine similarity of question and sentence embeddings, when available. @default 0.5 */
  readonly vector: number;
  /** Penalty for a sentence that only repeats the question. @default 0.4 */
  readonly repeatsQuestion: number;
  /** Coverage from the previous sentence when this one opens with a pronoun referring back to it. @default 0.5 */
  readonly continuation?: number;
  /** Penalty by the share of the question's names that neither the sentence, its neighbours nor its passage mention. @default 0.2 */
  readonly anchorAbsent?: number;
  /** Penalty for a sentence of fewer than four tokens (a heading, a fragment). @default 0.3 */
  readonly short?: number;
}

/** Signal weights tuned on the seed questions and XQuAD gold paragraphs. */
export const DEFAULT_SCORING_WEIGHTS: SentenceScoringWeights = Object.freeze({
  coverage: 1,
  context: 0.25,
  carried: 0.35,
  answerType: 0.35,
  proximity: 0.15,
  bigrams: 0.15,
  passageRank: 0.08,
  vector: 0.5,
  repeatsQuestion: 0.4,
  continuation: 0.5,
  anchorAbsent: 0.2,
  short: 0.3,
});

/**
 * Builds the term groups of a question: each question term with its family words, plus carried terms (which stand
 * as the question's own when it has none).
 * @param carriedWeight importance of a term carried from earlier turns. @default 1
 */
export function buildTermGroups(analysis: QuestionAnalysis, carriedTerms: readonly string[], normalizer: TermNormalizer, carriedWeight = 1): TermGroup[] {
  const groups: TermGroup[] = [];
  const seen = new Set<string>();
  const add = (term: string, weight: number, carried: boolean, surface: string) => {
    if (seen.has(term)) return;
    seen.add(term);
    const members = new Map<string, number>([[term, 1]]);
    for (const r of normalizer.related(term)) if (!members.has(r)) members.set(r, 0.5);
    const acronym = /^\p{Lu}{2,6}$/u.test(surface) ? surface : null;
    groups.push({ term, weight, members, carried, acronym });
  };
  for (const t of analysis.terms) add(t.term, t.isAnchor ? t.weight * 1.25 : t.weight, false, t.text);
  // "Why did it do that?" has no terms of its own: the carried subject is all there is to match, so it counts as the question's.
  const ownless = analysis.terms.length === 0;
  for (const t of carriedTerms) add(t, ownless ? 1 : carriedWeight, !ownless, '');
  return groups;
}

const ACRONYM_FILLERS = new Set(['of', 'for', 'the', 'and', '&', 'on', 'in', 'de', 'to']);

/** Token index where a run of capitalised words spells `acronym` by initials, or -1. */
function findAcronym(tokens: readonly SentenceToken[], acronym: string): number {
  for (let i = 0; i < tokens.length; i++) {
    if (!tokens[i]!.capitalized || tokens[i]!.text[0] !== acronym[0]) continue;
    let k = 0;
    for (let j = i; j < tokens.length && k < acronym.length; j++) {
      const t = tokens[j]!;
      if (t.capitalized && t.text[0] === acronym[k]) k++;
      else if (!ACRONYM_FILLERS.has(t.folded)) break;
    }
    if (k === acronym.length) return i;
  }
  return -1;
}

interface SentenceMatch {
  /** Best credit per group term. */
  readonly credit: Map<string, number>;
  /** Matched positions: [token index, sentence term] (the term is the group key for acronyms). */
  readonly hits: [number, string][];
  readonly contentTokens: number;
  readonly novelTokens: number;
}

type MemberIndex = Map<string, readonly { group: TermGroup; credit: number }[]>;

/** Credit of a word derived from a question term by a suffix ("partner" → "partnership", "govern" → "government"). */
const DERIVED_CREDIT = 0.5;

/**
 * Groups whose term the sentence term extends or shortens by a suffix of at most five letters, sharing a stem of
 * five or more ("partnership" for "partner"), remembered in `memberOf` (also when there are none) so each term is
 * checked once per question.
 */
function derivedMembers(term: string, groups: readonly TermGroup[], memberOf: MemberIndex): readonly { group: TermGroup; credit: number }[] {
  if (/\d/.test(term) || term.length < 5) return [];
  const found = groups.filter((g) => {
    const [short, long] = g.term.length <= term.length ? [g.term, term] : [term, g.term];
    return short.length >= 5 && long !== short && long.startsWith(short) && long.length - short.length <= 5;
  });
  const members = found.map((group) => ({ group, credit: DERIVED_CREDIT }));
  memberOf.set(term, members);
  return members;
}

function matchSentence(sentence: Sentence, groups: readonly TermGroup[], memberOf: MemberIndex): SentenceMatch {
  const credit = new Map<string, number>();
  const hits: [number, string][] = [];
  let contentTokens = 0;
  let novelTokens = 0;
  sentence.tokens.forEach((token, i) => {
    const term = token.term;
    if (term === null) return;
    contentTokens++;
    const groupsOf = memberOf.has(term) ? memberOf.get(term) : derivedMembers(term, groups, memberOf);
    if (!groupsOf || groupsOf.length === 0) {
      novelTokens++;
      return;
    }
    for (const { group, credit: c } of groupsOf) credit.set(group.term, Math.max(credit.get(group.term) ?? 0, c));
    hits.push([i, term]);
  });
  for (const g of groups) {
    if (g.acronym === null || credit.has(g.term)) continue;
    const at = findAcronym(sentence.tokens, g.acronym);
    if (at >= 0) {
      credit.set(g.term, 1);
      hits.push([at, g.term]);
    }
  }
  hits.sort((a, b) => a[0] - b[0]);
  return { credit, hits, contentTokens, novelTokens };
}

/** Inverse document frequency over the candidate sentences: rare terms identify the answer sentence. */
function rarity(groups: readonly TermGroup[], matched: readonly SentenceMatch[]): Map<string, number> {
  const df = new Map<string, number>();
  for (const m of matched) for (const term of m.credit.keys()) df.set(term, (df.get(term) ?? 0) + 1);
  const n = matched.length;
  const idf = new Map<string, number>();
  // A term found in no candidate is more often paraphrased than decisive: weigh it as if seen once.
  for (const g of groups) idf.set(g.term, Math.log(1 + (n + 1) / (Math.max(1, df.get(g.term) ?? 0) + 0.5)));
  return idf;
}

/** Term weights for one question over one set of candidate sentences. */
export interface TermWeighting {
  /** Importance × rarity of each group, keyed by the group's term. */
  readonly groupWeight: ReadonlyMap<string, number>;
  /** Weight a sentence term contributes when matched (group keys included, for acronyms). */
  readonly termWeights: ReadonlyMap<string, number>;
}

function memberIndex(groups: readonly TermGroup[]): Map<string, { group: TermGroup; credit: number }[]> {
  const memberOf = new Map<string, { group: TermGroup; credit: number }[]>();
  for (const g of groups) for (const [m, credit] of g.members) memberOf.set(m, [...(memberOf.get(m) ?? []), { group: g, credit }]);
  return memberOf;
}

function weighFromMatches(groups: readonly TermGroup[], memberOf: MemberIndex, matched: readonly SentenceMatch[]): TermWeighting {
  const idf = rarity(groups, matched);
  const groupWeight = new Map<string, number>();
  for (const g of groups) groupWeight.set(g.term, g.weight * (idf.get(g.term) ?? 1));
  const termWeights = new Map<string, number>();
  for (const [m, list] of memberOf) if (list.length > 0) termWeights.set(m, Math.max(...list.map((x) => (groupWeight.get(x.group.term) ?? 0) * x.credit)));
  for (const g of groups) if (g.acronym !== null) termWeights.set(g.term, Math.max(termWeights.get(g.term) ?? 0, groupWeight.get(g.term) ?? 0));
  return { groupWeight, termWeights };
}

/** Pronouns and determiners that, opening a sentence, refer to something the previous sentence named. */
const BACK_REFERENCES = new Set(['it', 'its', 'they', 'their', 'them', 'he', 'his', 'she', 'her', 'this', 'these', 'those', 'that', 'such', 'there']);

/**
 * Whether the sentence's subject points back: its first word (after a short opener such as "However," or
 * "In 1857,") is a pronoun or demonstrative, or it opens "Most/Some/All/Many/One of them".
 */
function opensWithReference(tokens: readonly SentenceToken[]): boolean {
  let i = 0;
  const comma = tokens.findIndex((t) => t.text === ',');
  if (comma >= 0 && comma <= 4) i = comma + 1;
  const first = tokens[i];
  if (first === undefined) return false;
  if (BACK_REFERENCES.has(first.folded)) return true;
  return tokens[i + 1]?.folded === 'of' && /^(?:them|these|those|which)$/.test(tokens[i + 2]?.folded ?? '');
}

/** Options for scoring one batch of sentences. */
export interface ScoreSentencesOptions {
  /** The question, analysed. */
  readonly analysis: QuestionAnalysis;
  /** Its terms (and carried terms) with their family words, from `buildTermGroups`. */
  readonly groups: readonly TermGroup[];
  /** @default DEFAULT_SCORING_WEIGHTS */
  readonly weights?: SentenceScoringWeights;
  /** @default DEFAULT_CANDIDATE_WEIGHTS */
  readonly candidateWeights?: CandidateWeights;
}

/**
 * Scores every candidate sentence as evidence for the question and returns them best first.
 * Deterministic: ties break on passage rank, then document position.
 */
export function scoreSentences(candidates: readonly CandidateSentence[], options: ScoreSentencesOptions): ScoredSentence[] {
  const { analysis, groups } = options;
  const model = sentenceModel(options.weights ?? DEFAULT_SCORING_WEIGHTS);
  const memberOf = memberIndex(groups);
  const matched = candidates.map((c) => matchSentence(c.sentence, groups, memberOf));
  const { groupWeight, termWeights } = weighFromMatches(groups, memberOf, matched);
  const context: ShortAnswerContext = { analysis, termWeights, ...(options.candidateWeights ? { weights: options.candidateWeights } : {}) };
  const ownTotal = groups.filter((g) => !g.carried).reduce((sum, g) => sum + (groupWeight.get(g.term) ?? 0), 0);
  const carriedTotal = groups.filter((g) => g.carried).reduce((sum, g) => sum + (groupWeight.get(g.term) ?? 0), 0);
  const carriedTerms = new Set(groups.filter((g) => g.carried).map((g) => g.term));
  const neighbourMatches = new Map<Sentence, SentenceMatch>();
  candidates.forEach((c, k) => neighbourMatches.set(c.sentence, matched[k]!));
  const matchOf = (s: Sentence) => {
    let m = neighbourMatches.get(s);
    if (!m) {
      m = matchSentence(s, groups, memberOf);
      neighbourMatches.set(s, m);
    }
    return m;
  };

  // Consecutive question terms ("Global Security Initiative") found next to each other.
  const questionBigrams = new Set<string>();
  const own = analysis.terms.map((t) => t.term);
  for (let i = 0; i + 1 < own.length; i++) questionBigrams.add(`${own[i]} ${own[i + 1]}`);
  /** First words of those pairs: a sentence's word pair is only spelled out to look up when it starts with one. */
  const bigramStarts = new Set(own.slice(0, -1));

  // Names of the question found in each passage: a sentence whose passage never mentions them is about something
  // else, however well its other words match ("Tesla partnered…" for "Who did Internet2 partner with?"). Figures
  // are left out: a passage about another year is for the abstention checks to weigh, not for ranking to avoid.
  const anchors = analysis.terms.filter((t) => t.isAnchor && !/^\d/.test(t.text)).map((t) => t.term);
  const anchorTotal = anchors.reduce((sum, t) => sum + (groupWeight.get(t) ?? 0), 0);
  const passageTerms = new Map<number, Set<string>>();
  candidates.forEach((c, k) => {
    const terms = passageTerms.get(c.passageRank) ?? new Set<string>();
    for (const term of matched[k]!.credit.keys()) terms.add(term);
    passageTerms.set(c.passageRank, terms);
  });

  const scored = candidates.map((candidate, k): ScoredSentence => {
    const tokens = candidate.sentence.tokens;
    const m = matched[k]!;
    const matches: TermMatch[] = m.hits.map(([index, term]) => ({ index, weight: termWeights.get(term) ?? 0, group: memberOf.get(term)?.[0]?.group.term ?? term }));
    let gotOwn = 0;
    let gotCarried = 0;
    for (const [term, c] of m.credit) {
      if (carriedTerms.has(term)) gotCarried += (groupWeight.get(term) ?? 0) * c;
      else gotOwn += (groupWeight.get(term) ?? 0) * c;
    }
    // Terms the sentence lacks but a neighbour has: "He was born in 1856" after "Tesla …".
    const fromNeighbours = new Map<string, number>();
    for (const n of candidate.neighbours ?? []) {
      for (const [term, c] of matchOf(n).credit) if (!m.credit.has(term)) fromNeighbours.set(term, Math.max(fromNeighbours.get(term) ?? 0, c));
    }
    // A sentence that opens by pointing back ("It is a 5-cylinder engine", "Most of them were destroyed…") is
    // about what the sentence before it names: those terms count almost as if it repeated them.
    let continued = 0;
    const previous = candidate.neighbours?.find((n) => n.end <= candidate.sentence.start);
    if (previous && opensWithReference(tokens)) {
      // Figures stay put: "This change came after…" carries its subject forward, not the year of the sentence before.
      for (const [term, c] of matchOf(previous).credit) if (!m.credit.has(term) && !carriedTerms.has(term) && !/^\d/.test(term)) continued += (groupWeight.get(term) ?? 0) * c;
    }
    let ctxOwn = 0;
    let ctxCarried = 0;
    for (const [term, c] of fromNeighbours) {
      if (carriedTerms.has(term)) ctxCarried += (groupWeight.get(term) ?? 0) * c;
      else ctxOwn += (groupWeight.get(term) ?? 0) * c;
    }
    let anchorsAbsent = 0;
    if (anchorTotal > 0) {
      const inPassage = passageTerms.get(candidate.passageRank);
      for (const a of anchors) if (!m.credit.has(a) && !fromNeighbours.has(a) && !inPassage?.has(a)) anchorsAbsent += groupWeight.get(a) ?? 0;
      anchorsAbsent /= anchorTotal;
    }
    const coverage = ownTotal > 0 ? gotOwn / ownTotal : 0;
    const contextCoverage = ownTotal > 0 ? (gotOwn + 0.5 * ctxOwn) / ownTotal : 0;
    const carriedCoverage = carriedTotal > 0 ? (gotCarried + 0.5 * ctxCarried) / carriedTotal : 0;

    // Density of matched terms: the shortest window holding them all, relative to their number.
    let proximity = 0;
    if (matches.length >= 2) {
      const span = matches[matches.length - 1]!.index - matches[0]!.index + 1;
      proximity = Math.min(1, (matches.length + 1) / span);
    }
    let bigramHits = 0;
    if (questionBigrams.size > 0) {
      const terms = tokens.map((t) => t.term).filter((t): t is string => t !== null);
      for (let i = 0; i + 1 < terms.length; i++) if (bigramStarts.has(terms[i]!) && questionBigrams.has(`${terms[i]} ${terms[i + 1]}`)) bigramHits++;
    }
    const bigrams = questionBigrams.size > 0 ? Math.min(1, bigramHits / questionBigrams.size) : 0;

    // The question's own terms place the answer; carried terms only say which sentence is on topic.
    const ownMatches = matches.filter((x) => !carriedTerms.has(x.group));
    const answers = matches.length > 0 ? rankCandidates(candidate.sentence, ownMatches.length > 0 ? ownMatches : matches, context) : [];
    const best = answers[0] ?? null;
    const typed = classOfKind(analysis.expected) !== 'open' || analysis.expandsAcronym;
    const typeSignal = best === null ? 0 : typed ? best.typeFit : best.typeFit * 0.5;
    const features: SentenceFeatures = {
      coverage,
      context: contextCoverage - coverage,
      continuation: ownTotal > 0 ? continued / ownTotal : 0,
      carried: carriedCoverage,
      answerType: typeSignal * Math.min(1, contextCoverage * 2),
      proximity: proximity * coverage,
      bigrams,
      passageRank: 1 / (1 + candidate.passageRank),
      vector: 0,
      repeatsQuestion: m.contentTokens > 0 && m.novelTokens === 0 ? 1 : 0,
      anchorAbsent: anchorsAbsent,
      short: tokens.length < 4 ? 1 : 0,
    };
    const score = combine(features, model);
    return { ...candidate, score, features, coverage, contextCoverage, carriedCoverage, matches, matchedTerms: new Set(m.credit.keys()), best: answers[0] ?? null, answers: answers.slice(0, MAX_KEPT_CANDIDATES) };
  });
  return scored.sort(bestFirst);
}

function bestFirst(a: ScoredSentence, b: ScoredSentence): number {
  return b.score - a.score || a.passageRank - b.passageRank || a.sentence.start - b.sentence.start;
}

/**
 * Adds the vector signal to sentences already scored on words: `weights.vector` × the cosine similarity of each
 * sentence to the question, then ranks them again. The signal is one term of the score's sum, so the word-based
 * scoring (matches, rarity, short-answer candidates) is not redone when an embedder is available.
 */
export function addVectorSimilarity(ranked: readonly ScoredSentence[], similarity: (sentence: ScoredSentence) => number, weights: SentenceScoringWeights = DEFAULT_SCORING_WEIGHTS): ScoredSentence[] {
  return ranked
    .map((s) => {
      const vector = similarity(s);
      return { ...s, score: s.score + weights.vector * (vector - s.features.vector), features: { ...s.features, vector } };
    })
    .sort(bestFirst);
}
