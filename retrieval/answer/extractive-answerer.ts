import { throwIfAborted } from '../errors.js';
import type { AbstentionReason, Answer, AnswerTrace, Citation, Passage } from '../types.js';
import { contextualizeQuestion } from '../conversation/contextualize-question.js';
import type { AnswerRequest, Answerer } from './answerer.js';
import { createNlpTools, type NlpTools } from './nlp.js';
import { readAnswerWeights, type AnswerWeights } from './answer-weights.js';
import { decideEvidence, DEFAULT_GATE_LIMITS, type GateLimits } from './evidence-gate.js';
import { analyzeQuestion } from './question-analysis.js';
import { addVectorSimilarity, buildTermGroups, DEFAULT_SCORING_WEIGHTS, scoreSentences, type CandidateSentence, type ScoredSentence, type SentenceScoringWeights } from './sentence-scoring.js';
import { createPassageSentenceReader } from './passage-sentences.js';
import { createSentenceSplitter, type Sentence } from './sentences.js';
import { createEmbeddingReranker } from './reranker.js';
import { DEFAULT_CANDIDATE_WEIGHTS, type CandidateWeights } from './short-answer.js';
import { chooseShortAnswer, shortAnswerConfidenceFeatures } from './short-answer-choice.js';
import { combine, logistic } from './weighted-features.js';
import type { SpanReader } from './span-reader.js';
import { createTermNormalizer, splitWords } from './terms.js';
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
  /** The fitted gate and short-answer models. @default readAnswerWeights() (the committed `answer-weights.json`) */
  readonly answerWeights?: AnswerWeights;
  /** Fixed limits of the gate's veto features. @default DEFAULT_GATE_LIMITS */
  readonly gateLimits?: GateLimits;
  /**
   * A reading-comprehension model that picks the short answer inside the quoted sentences and their neighbours,
   * in place of the phrase ranker. Whether to answer at all is still decided by the evidence gate.
   */
  readonly reader?: SpanReader;
  /** A reader's span is used only when the model's confidence is at least this; otherwise the phrase ranker's. @default 0.1 */
  readonly minReaderScore?: number;
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
  const contextChars = options.contextChars ?? 400;
  const cacheSize = options.cacheSize ?? 512;
  const maxEmbedded = options.maxEmbeddedSentences ?? 16;
  const weights = options.weights ?? DEFAULT_SCORING_WEIGHTS;
  const candidateWeights = options.candidateWeights ?? DEFAULT_CANDIDATE_WEIGHTS;
  const answerWeights = options.answerWeights ?? readAnswerWeights();
  const gateLimits = options.gateLimits ?? DEFAULT_GATE_LIMITS;
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
  const passageSentences = createPassageSentenceReader(splitter, { contextChars, cacheSize });

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
      const context = request.context ?? contextualizeQuestion(request.question, request.history);
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
      if (groups.length === 0) return abstain('NO_QUESTION_TERMS', 0);

      // Sentences of the top passages, each once (overlapping chunks share sentences).
      const candidates: CandidateSentence[] = [];
      const seen = new Set<string>();
      request.passages.slice(0, maxPassages).forEach((passage, rank) => {
        const text = request.documentText(passage.docId);
        if (text.slice(passage.start, passage.end) !== passage.text) return; // stale index: its offsets cannot be cited
        const sentences = passageSentences.sentencesOf(passage, text);
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
      if (candidates.length === 0) return abstain('NO_MATCHING_PASSAGE', 0);

      let ranked = scoreSentences(candidates, { analysis, groups, weights, candidateWeights });
      const reranker = request.reranker ?? (request.embed ? createEmbeddingReranker(request.embed) : undefined);
      if (reranker && maxEmbedded > 0 && weights.vector > 0) {
        // The reranker re-scores the lexical leaders only: embedding every sentence would dominate latency.
        const top = ranked.slice(0, maxEmbedded);
        const scores = await reranker.score(request.question, top.map((s) => s.sentence.text), request.signal);
        const similarity = new Map(top.map((s, i) => [s.sentence, scores[i] ?? 0]));
        // Sentences left unscored rank below every scored leader: they get the lowest similarity seen.
        const floor = Math.min(...similarity.values());
        ranked = addVectorSimilarity(ranked, (s) => similarity.get(s.sentence) ?? floor, weights);
      }

      const best = ranked[0]!;
      const decision = decideEvidence({ analysis, groups, ranked }, answerWeights.gate, gateLimits);
      const sentenceTrace = () => ranked.slice(0, TRACED_SENTENCES).map((s) => ({ docId: s.sentence.docId, start: s.sentence.start, end: s.sentence.end, text: s.sentence.text, features: s.features, score: s.score }));
      const gateTrace = { features: decision.features, score: decision.score, probability: decision.probability, reason: decision.reason };
      if (decision.reason !== null) return abstain(decision.reason, decision.probability, request.explain ? { gate: gateTrace, sentences: sentenceTrace(), shortAnswers: [] } : undefined);

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

      const choices = chooseShortAnswer(chosen, analysis, decision.probability, answerWeights.shortAnswer);
      const top = choices[0];
      let shortAnswer = top?.candidate.text ?? null;
      const confidenceFeatures = shortAnswerConfidenceFeatures(choices);
      const confidenceScore = confidenceFeatures ? combine(confidenceFeatures, answerWeights.shortAnswerConfidence) : -Infinity;
      let shortAnswerConfidence = confidenceFeatures ? logistic(confidenceScore) : 0;
      let quoted = chosen.map((s) => s.sentence);
      if (reader) {
        const read = await readAnswer(reader, context.followUp === 'none' ? request.question : context.retrievalQuery, chosen, request, minReaderScore);
        if (read) {
          shortAnswer = read.text;
          // The model's own score: not calibrated like the phrase model's (see the README).
          shortAnswerConfidence = read.score;
          // The sentence holding the model's answer is quoted first, so the short answer is always inside a citation.
          if (!quoted.includes(read.sentence)) quoted = [read.sentence, ...quoted].slice(0, maxSentences);
        }
      }

      const citations: Citation[] = quoted.map((s, i) => ({ n: i + 1, docId: s.docId, start: s.start, end: s.end, quote: s.text }));
      const answer = quoted.map((s, i) => `${s.text} [${i + 1}]`).join(' ');
      const trace: AnswerTrace | undefined = request.explain
        ? {
            gate: gateTrace,
            sentences: sentenceTrace(),
            shortAnswers: choices.slice(0, TRACED_SHORT_ANSWERS).map((c) => ({ text: c.candidate.text, start: c.candidate.start, end: c.candidate.end, features: c.features, score: c.score, probability: c.probability })),
            ...(confidenceFeatures ? { shortAnswerConfidence: { features: confidenceFeatures, score: confidenceScore, probability: shortAnswerConfidence } } : {}),
          }
        : undefined;
      return {
        answer,
        shortAnswer,
        abstained: false,
        citations,
        confidence: { answer: decision.probability, shortAnswer: shortAnswer === null ? 0 : shortAnswerConfidence },
        shortAnswerConfident: shortAnswer !== null && shortAnswerConfidence >= (reader && shortAnswer !== top?.candidate.text ? minReaderScore : answerWeights.shortAnswerConfidence.threshold),
        abstentionReason: null,
        ...(trace ? { trace } : {}),
      };
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
): Promise<{ text: string; sentence: Sentence; score: number } | null> {
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

/** Evidence sentences and short-answer candidates listed in a trace. */
const TRACED_SENTENCES = 5;
const TRACED_SHORT_ANSWERS = 20;

function abstain(reason: AbstentionReason, probability: number, trace?: AnswerTrace): Answer {
  return {
    answer: NO_ANSWER_TEXT,
    shortAnswer: null,
    abstained: true,
    citations: [],
    confidence: { answer: probability, shortAnswer: 0 },
    shortAnswerConfident: false,
    abstentionReason: reason,
    ...(trace ? { trace } : {}),
  };
}
