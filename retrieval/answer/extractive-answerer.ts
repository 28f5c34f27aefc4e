import { throwIfAborted } from '../errors.js';
import type { Answer, Citation, Passage } from '../types.js';
import { contextualizeQuestion } from '../conversation/contextualize-question.js';
import type { AnswerRequest, Answerer } from './answerer.js';
import { createNlpTools, type NlpTools } from './nlp.js';
import { assessEvidence, DEFAULT_CONFIDENCE_WEIGHTS, type ConfidenceWeights, type EvidenceAssessment } from './evidence-confidence.js';
import { analyzeQuestion } from './question-analysis.js';
import { addVectorSimilarity, buildTermGroups, DEFAULT_SCORING_WEIGHTS, scoreSentences, type CandidateSentence, type ScoredSentence, type SentenceScoringWeights } from './sentence-scoring.js';
import { createSentenceSplitter, type Sentence } from './sentences.js';
import { DEFAULT_CANDIDATE_WEIGHTS, type CandidateWeights } from './short-answer.js';
import type { SpanReader } from './span-reader.js';
import { createTermNormalizer, splitWords, YEAR } from './terms.js';
import { ABSTENTION_TEXT } from '../../prompts/grounded-answer-prompt.js';

/** The whole answer when the documents do not support one. Fixed so clients and tests can recognise it. */
export const NO_ANSWER_TEXT = ABSTENTION_TEXT;

/** Tunables of the extractive answerer. */
export interface ExtractiveAnswererOptions {
  /** Language tools to reuse (tests share one load); built once per answerer otherwise. @default createNlpTools() */
  readonly nlp?: NlpTools;
  /** Retrieved passages read, best first. @default 8 */
  readonly maxPassages?: number;
  /** Sentences quoted in one answer. @default 3 */
  readonly maxSentences?: number;
  /** A further sentence is quoted only if it scores at least this share of the best one (and adds terms). @default 0.7 */
  readonly secondaryRatio?: number;
  /**
   * The sentence just before or after the best one is quoted too when it scores at least this share of the best,
   * even if it adds no question term: the answer often sits in the sentence that continues the matched one
   * ("Kublai's government faced…" → "This government adopted … tripartite division…"). @default 0.7
   */
  readonly adjacentRatio?: number;
  /**
   * A further sentence scoring at least this share of the best one is quoted even if it adds no question term, in
   * a slot no term-adding sentence took: the two are near-equal readings of the question, and quoting only one
   * would often quote the wrong one. @default 0.9
   */
  readonly runnerUpRatio?: number;
  /**
   * A further sentence scoring at least this share of the best one is quoted when it holds a clearly better
   * answer phrase (by `betterAnswerMargin` in candidate score): the best-matching sentence often restates the
   * question while the next one holds the answer ("When were they destroyed?" → "…destroyed in … 1944"). @default 0.6
   */
  readonly betterAnswerRatio?: number;
  /** How much higher a runner-up's answer phrase must score to be quoted under `betterAnswerRatio`. @default 0.3 */
  readonly betterAnswerMargin?: number;
  /** Abstain when the best sentence (with half credit for its neighbours) holds less than this rarity-weighted share of the question's terms. @default 0.25 */
  readonly minCoverage?: number;
  /** Abstain when a name or number of the question is missing around the best sentence and coverage is below this. @default 0.3 */
  readonly anchorCoverage?: number;
  /** Minimum candidate score for a short answer; below it `shortAnswer` is null. @default 1.05 */
  readonly minShortAnswerScore?: number;
  /** For number and date questions: abstain unless the best sentence holds a phrase of at least this type fit. @default 0.3 */
  readonly minTypedFit?: number;
  /** A best sentence holding at least this share of the question's terms is answered from even without a typed phrase. @default 0.95 */
  readonly fullCoverage?: number;
  /** Characters read beyond a passage's edges to complete its first and last sentences. @default 400 */
  readonly contextChars?: number;
  /** Passage windows whose sentence split is cached. @default 512 */
  readonly cacheSize?: number;
  /** Sentences re-ranked with embeddings when `embed` is available (the lexical top ones). @default 16 */
  readonly maxEmbeddedSentences?: number;
  /** Weight of each sentence-ranking signal. @default DEFAULT_SCORING_WEIGHTS */
  readonly weights?: SentenceScoringWeights;
  /** Weight of a question verb relative to other question terms. @default 1.5 */
  readonly verbWeight?: number;
  /** Weight of each short-answer signal. @default DEFAULT_CANDIDATE_WEIGHTS */
  readonly candidateWeights?: CandidateWeights;
  /** Weights of the evidence-confidence model. @default DEFAULT_CONFIDENCE_WEIGHTS */
  readonly confidenceWeights?: ConfidenceWeights;
  /** Abstain when the evidence confidence (see {@link DEFAULT_CONFIDENCE_WEIGHTS}) is below this. @default 0.5 */
  readonly minConfidence?: number;
  /** Receives the evidence assessment of every question that reaches one (for evaluation and threshold tuning). */
  readonly onAssessment?: (question: string, assessment: EvidenceAssessment) => void;
  /**
   * A reading-comprehension model that picks the short answer inside the quoted sentences and their neighbours,
   * in place of the phrase ranker. Whether to answer at all is still decided by the evidence checks above it.
   */
  readonly reader?: SpanReader;
  /** A reader's span is used only when the model's confidence is at least this; otherwise the phrase ranker's. @default 0.1 */
  readonly minReaderScore?: number;
}

interface CachedWindow {
  readonly text: string;
  readonly sentences: readonly Sentence[];
}

/**
 * The offline default answerer: it quotes the 1–3 source sentences that best answer the question and
 * picks the short answer inside them, so every word of the answer is checkable against the documents.
 * It abstains with {@link NO_ANSWER_TEXT} when the evidence is too weak. The wink model is loaded here,
 * once, and sentence splits are cached per passage window inside this instance.
 */
export function createExtractiveAnswerer(options: ExtractiveAnswererOptions = {}): Answerer {
  const maxPassages = options.maxPassages ?? 8;
  const maxSentences = options.maxSentences ?? 3;
  const secondaryRatio = options.secondaryRatio ?? 0.7;
  const minCoverage = options.minCoverage ?? 0.25;
  const anchorCoverage = options.anchorCoverage ?? 0.3;
  const minShortAnswerScore = options.minShortAnswerScore ?? 1.05;
  const minTypedFit = options.minTypedFit ?? 0.3;
  const fullCoverage = options.fullCoverage ?? 0.95;
  const contextChars = options.contextChars ?? 400;
  const cacheSize = options.cacheSize ?? 512;
  const maxEmbedded = options.maxEmbeddedSentences ?? 16;
  const weights = options.weights ?? DEFAULT_SCORING_WEIGHTS;
  const candidateWeights = options.candidateWeights ?? DEFAULT_CANDIDATE_WEIGHTS;
  const confidenceWeights = options.confidenceWeights ?? DEFAULT_CONFIDENCE_WEIGHTS;
  const minConfidence = options.minConfidence ?? 0.5;
  const adjacentRatio = options.adjacentRatio ?? 0.7;
  const runnerUpRatio = options.runnerUpRatio ?? 0.9;
  const betterAnswerRatio = options.betterAnswerRatio ?? 0.6;
  const betterAnswerMargin = options.betterAnswerMargin ?? 0.3;
  const reader = options.reader;
  const minReaderScore = options.minReaderScore ?? 0.1;
  if (maxSentences < 1) throw new RangeError('maxSentences must be at least 1');

  const tools = options.nlp ?? createNlpTools();
  const normalizer = createTermNormalizer(tools);
  const splitter = createSentenceSplitter(tools, normalizer);
  const cache = new Map<string, CachedWindow>();

  /** The passage widened to whole lines (capped), so its edge sentences are complete. */
  function sentencesOf(passage: Passage, documentText: string): readonly Sentence[] {
    const lineStart = documentText.lastIndexOf('\n', passage.start - 1) + 1;
    const lineEndAt = documentText.indexOf('\n', passage.end);
    const lineEnd = lineEndAt < 0 ? documentText.length : lineEndAt;
    const start = Math.max(lineStart, passage.start - contextChars);
    const end = Math.min(lineEnd, passage.end + contextChars);
    const key = `${passage.docId}\u0000${start}\u0000${end}`;
    const text = documentText.slice(start, end);
    const hit = cache.get(key);
    if (hit && hit.text === text) {
      cache.delete(key);
      cache.set(key, hit);
      return hit.sentences;
    }
    let sentences = splitter.split({ docId: passage.docId, text, offset: start });
    // A sentence cut by the context cap is incomplete: keep it only if the passage itself is inside it.
    sentences = sentences.filter((s) => !((s.start === start && start > lineStart && s.end <= passage.start) || (s.end === end && end < lineEnd && s.start >= passage.end)));
    if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
    cache.set(key, { text, sentences });
    return sentences;
  }

  /** POS tags of the question's words, from the same wink model that reads the passages. */
  function tagQuestion(question: string): (word: string) => string | undefined {
    const doc = tools.read(question);
    const values = doc.tokens().out(tools.its.value) as string[];
    const tags = doc.tokens().out(tools.its.pos) as string[];
    const map = new Map<string, string>();
    values.forEach((v, i) => {
      if (!map.has(v)) map.set(v, tags[i] ?? 'X');
    });
    return (word) => map.get(word);
  }

  return {
    name: reader ? `extractive+reader(${reader.id})` : 'extractive',
    async answer(request: AnswerRequest): Promise<Answer> {
      throwIfAborted(request.signal);
      const context = contextualizeQuestion(request.question, request.history);
      const asked = context.followUp === 'ellipsis' ? context.retrievalQuery : request.question;
      const analysis = analyzeQuestion(asked, normalizer, { posOf: tagQuestion(asked), ...(options.verbWeight !== undefined ? { verbWeight: options.verbWeight } : {}) });
      const own = new Set(analysis.terms.map((t) => t.term));
      const carriedTerms: string[] = [];
      for (const phrase of context.carried) {
        for (const w of splitWords(phrase)) {
          const term = normalizer.term(w.text);
          if (term !== null && !own.has(term) && !carriedTerms.includes(term)) carriedTerms.push(term);
        }
      }
      const groups = buildTermGroups(analysis, carriedTerms, normalizer);
      if (groups.length === 0) return abstain();

      // Sentences of the top passages, each once (overlapping chunks share sentences).
      const candidates: CandidateSentence[] = [];
      const seen = new Set<string>();
      request.passages.slice(0, maxPassages).forEach((passage, rank) => {
        const text = request.documentText(passage.docId);
        if (text.slice(passage.start, passage.end) !== passage.text) return; // stale index: its offsets cannot be cited
        const sentences = sentencesOf(passage, text);
        sentences.forEach((sentence, i) => {
          const overlap = Math.min(sentence.end, passage.end) - Math.max(sentence.start, passage.start);
          if (overlap <= 0 || (overlap < (sentence.end - sentence.start) / 2 && !(sentence.start <= passage.start && sentence.end >= passage.end))) return;
          const key = `${sentence.docId}\u0000${sentence.start}\u0000${sentence.end}`;
          if (seen.has(key)) return;
          seen.add(key);
          const neighbours = [sentences[i - 1], sentences[i + 1]].filter((n): n is Sentence => n !== undefined);
          candidates.push({ sentence, passageRank: rank, neighbours });
        });
      });
      if (candidates.length === 0) return abstain();

      let ranked = scoreSentences(candidates, { analysis, groups, weights, candidateWeights });
      if (request.embed && maxEmbedded > 0 && weights.vector > 0) {
        // Embeddings re-rank the lexical leaders only: embedding every sentence would dominate latency.
        const top = ranked.slice(0, maxEmbedded);
        throwIfAborted(request.signal);
        const vectors = await request.embed([request.question, ...top.map((s) => s.sentence.text)]);
        throwIfAborted(request.signal);
        const q = vectors[0];
        if (q) {
          const similarity = new Map(top.map((s, i) => [s.sentence, cosine(q, vectors[i + 1] ?? [])]));
          // Sentences left unembedded rank below every embedded leader: they get the lowest similarity seen.
          const floor = Math.min(...similarity.values());
          ranked = addVectorSimilarity(ranked, (s) => similarity.get(s.sentence) ?? floor, weights);
        }
      }

      const best = ranked[0]!;
      const assessment = assessEvidence({ analysis, groups, ranked, weights: confidenceWeights });
      options.onAssessment?.(request.question, assessment);
      if (assessment.confidence < minConfidence) return abstain();
      if (best.contextCoverage < minCoverage) return abstain();
      // A figure or name the question insists on ("in 2019", "from Fiji") must be in the evidence or next to it.
      const near = [best.sentence, ...(best.neighbours ?? [])];
      const hasTerm = (term: string) => best.matchedTerms.has(term) || near.some((s) => s.tokens.some((t) => t.term === term));
      for (const anchor of analysis.terms.filter((t) => t.isAnchor)) {
        if (hasTerm(anchor.term)) continue;
        // Evidence about another year ("…in 2019?" against "…in 2023") is about a different event.
        if (YEAR.test(anchor.text) && near.some((s) => s.tokens.some((t) => YEAR.test(t.text)))) return abstain();
        if (best.contextCoverage < anchorCoverage) return abstain();
      }
      // "How many…?" / "When…?" with no number or date near the evidence: the figure asked for is not there.
      // Unless the sentence holds every term of the question: then it is the one the question was written from, and
      // the figure is one wink does not tag ("twice", "at the end of World War I").
      if (TYPED.has(analysis.expected) && (best.best?.typeFit ?? 0) < minTypedFit && best.coverage < fullCoverage) return abstain();

      const chosen: ScoredSentence[] = [best];
      const covered = new Set(best.matchedTerms);
      const bestPhrase = best.best?.score ?? 0;
      for (const s of ranked.slice(1)) {
        if (chosen.length >= maxSentences || s.score < best.score * Math.min(secondaryRatio, adjacentRatio, betterAnswerRatio)) break;
        const continues = s.score >= best.score * adjacentRatio && adjacent(s.sentence, best.sentence);
        const betterAnswer = s.score >= best.score * betterAnswerRatio && (s.best?.score ?? 0) > bestPhrase + betterAnswerMargin;
        if (s.score < best.score * secondaryRatio && !continues && !betterAnswer) continue;
        const adds = [...s.matchedTerms].some((t) => !covered.has(t));
        if (!adds && !continues && !betterAnswer) continue;
        chosen.push(s);
        for (const t of s.matchedTerms) covered.add(t);
      }
      // Slots left over go to near-equal runner-ups that add nothing new: the evidence may be either of them.
      for (const s of ranked.slice(1)) {
        if (chosen.length >= maxSentences || s.score < best.score * runnerUpRatio) break;
        if (!chosen.includes(s)) chosen.push(s);
      }
      chosen.sort((a, b) => ranked.indexOf(a) - ranked.indexOf(b));

      let shortAnswer: string | null = null;
      for (const s of chosen) {
        if (s.best && s.best.score >= minShortAnswerScore) {
          shortAnswer = s.best.text;
          break;
        }
        if (s === chosen[0] && analysis.expected === 'thing') break;
      }
      let quoted = chosen.map((s) => s.sentence);
      if (reader) {
        const read = await readAnswer(reader, context.followUp === 'none' ? request.question : context.retrievalQuery, chosen, request, minReaderScore);
        if (read) {
          shortAnswer = read.text;
          // The sentence holding the model's answer is quoted first, so the short answer is always inside a citation.
          if (!quoted.includes(read.sentence)) quoted = [read.sentence, ...quoted].slice(0, maxSentences);
        }
      }

      const citations: Citation[] = quoted.map((s, i) => ({ n: i + 1, docId: s.docId, start: s.start, end: s.end, quote: s.text }));
      const answer = quoted.map((s, i) => `${s.text} [${i + 1}]`).join(' ');
      return { answer, shortAnswer, abstained: false, citations };
    },
  };
}

/**
 * Asks the reader for the answer span in each quoted sentence's neighbourhood (the sentence with the ones before and
 * after it, overlapping neighbourhoods read once) and returns the most confident span that lies inside one sentence.
 */
async function readAnswer(
  reader: SpanReader,
  question: string,
  chosen: readonly ScoredSentence[],
  request: AnswerRequest,
  minScore: number,
): Promise<{ text: string; sentence: Sentence } | null> {
  const windows: { docId: string; start: number; end: number; sentences: Sentence[] }[] = [];
  for (const s of chosen) {
    const sentences = [...(s.neighbours ?? []), s.sentence].sort((a, b) => a.start - b.start);
    const start = sentences[0]!.start;
    const end = sentences[sentences.length - 1]!.end;
    const overlapping = windows.find((w) => w.docId === s.sentence.docId && w.start < end && start < w.end);
    if (overlapping) {
      overlapping.start = Math.min(overlapping.start, start);
      overlapping.end = Math.max(overlapping.end, end);
      overlapping.sentences.push(...sentences.filter((x) => !overlapping.sentences.includes(x)));
    } else windows.push({ docId: s.sentence.docId, start, end, sentences });
  }
  let best: { text: string; sentence: Sentence; score: number } | null = null;
  for (const w of windows) {
    throwIfAborted(request.signal);
    const text = request.documentText(w.docId);
    const span = await reader.read(question, text.slice(w.start, w.end), { signal: request.signal });
    if (!span || span.score < minScore || (best && span.score <= best.score)) continue;
    const start = w.start + span.start;
    const end = w.start + span.end;
    const sentence = w.sentences.find((x) => x.start <= start && end <= x.end);
    if (sentence) best = { text: text.slice(start, end), sentence, score: span.score };
  }
  return best;
}

/** Whether two sentences of one document follow each other (only whitespace between them). */
function adjacent(a: Sentence, b: Sentence): boolean {
  if (a.docId !== b.docId) return false;
  const [first, second] = a.start < b.start ? [a, b] : [b, a];
  return second.start >= first.end && second.start - first.end <= 3;
}

/** Answer kinds that must be backed by a recognised number or date in the evidence. */
const TYPED = new Set(['date', 'number', 'money', 'percent', 'duration', 'quantity']);

function abstain(): Answer {
  return { answer: NO_ANSWER_TEXT, shortAnswer: null, abstained: true, citations: [] };
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
