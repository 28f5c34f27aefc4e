import { AbortedError, GeneratorError, throwIfAborted } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AnswerEvent, AnswerRequest, Answerer, FollowUpRewrite } from '../answer/answerer.js';
import { createNlpTools, type NlpTools } from '../answer/nlp.js';
import { createPassageSentenceReader } from '../answer/passage-sentences.js';
import { createEmbeddingReranker } from '../answer/reranker.js';
import { createSentenceSplitter } from '../answer/sentences.js';
import { createTermNormalizer } from '../answer/terms.js';
import type { Answer, Citation, GeneratedSentence, GenerationReport } from '../types.js';
import { followUpRewritePrompt } from '../../prompts/follow-up-rewrite-prompt.js';
import { ABSTENTION_TEXT, GROUNDED_ANSWER_PROMPT_VERSION, versionedGroundedAnswerPrompt, type PromptSource } from '../../prompts/grounded-answer-prompt.js';
import type { Generator, UnavailableGenerator } from './generator.js';
import { citedSentenceText } from './cited-sentence-text.js';
import { createSentenceStream } from './sentence-stream.js';
import { focusPassage, questionTerms } from './focus-passage.js';
import { readSupportWeights, type SupportWeights } from './support-weights.js';
import { readMarkers, verifySentence, type GivenPassage, type SentenceVerdict } from './verify-sentence.js';

/** Options of {@link createGenerativeAnswerer}. */
export interface GenerativeAnswererOptions {
  /** The model, or why it could not be opened (then every answer is the extractive one, with that note). */
  readonly generator: Generator | UnavailableGenerator;
  /** The extractive answerer: its evidence gate decides when there is nothing to ask the model about, and its answer is shown when the model fails. */
  readonly fallback: Answerer;
  /** Tokens the model may write. */
  readonly maxTokens: number;
  /** Longest the whole generation may take; past it the reply is cut and what was verified so far is kept. */
  readonly timeoutMs: number;
  /** Sentences kept at most: the prompt asks for one to three; a reply that goes on is stopped there. @default 4 */
  readonly maxSentences?: number;
  /** Passages given to the model at most, best first, as many as fit its context. @default 3 */
  readonly maxPassages?: number;
  /** Sentences of each passage given to the model, those that bear on the question (`focus-passage.ts`); 0 gives whole passages. @default 0 */
  readonly passageSentences?: number;
  /** Language tools to reuse (tests share one load). @default createNlpTools() */
  readonly nlp?: NlpTools;
  readonly supportWeights?: SupportWeights;
  /** Gets a line per fallback, with its reason. */
  readonly logger?: Logger;
}

/** The most a follow-up rewrite may take: it holds up retrieval, so it must be short. */
const REWRITE_TIMEOUT_MS = 10_000;
/** Tokens a rewritten question may take. */
const REWRITE_MAX_TOKENS = 64;

/** Repeated sentences after which a reply is taken to be looping and is stopped. */
const MAX_REPEATS = 2;

/** Tokens kept free beside the passages for the chat template's own markup and rounding. */
const TEMPLATE_ALLOWANCE = 48;

/** How a finished sentence ends: a stop, question or exclamation mark, or its markers, maybe inside quotes or brackets. */
const FINISHED_SENTENCE = /(?:[.!?]["”’')\]]*|\])\s*$/;

/** Reasons the extractive answerer gives when there is nothing for a model to read: the model is not asked. */
const NOTHING_TO_READ = new Set(['NO_QUESTION_TERMS', 'NO_MATCHING_PASSAGE']);

function isAbstention(text: string): boolean {
  const fold = (s: string) => s.toLowerCase().replace(/[’‘]/g, "'").replace(/[^a-z' ]/g, '').trim();
  return fold(text).startsWith(fold(ABSTENTION_TEXT));
}

/**
 * Answers with a language model and checks every sentence it writes against the passages it was given: the model
 * gets the retrieved passages, numbered, under the grounded-answer prompt; its reply is cut into sentences as it
 * streams, and each sentence is verified (`verify-sentence.ts`) as soon as it is complete. The answer keeps the
 * verified sentences only, each citing the exact span that supports it; unsupported and uncited ones are reported
 * in `generation.sentences` and never presented as cited. When the generator is missing, unreachable, too slow or
 * fails, or nothing it wrote can be verified, the extractive answer is given with a note saying why.
 */
export function createGenerativeAnswerer(options: GenerativeAnswererOptions): Answerer {
  const { fallback, maxTokens, timeoutMs, logger } = options;
  const generator = 'unavailable' in options.generator ? null : options.generator;
  const unavailable = 'unavailable' in options.generator ? options.generator.unavailable : null;
  const { id, info } = options.generator;
  const maxPassages = options.maxPassages ?? 3;
  const focusSentences = options.passageSentences ?? 0;
  const maxSentences = options.maxSentences ?? 4;
  const weights = options.supportWeights ?? readSupportWeights();
  const tools = options.nlp ?? createNlpTools();
  const normalizer = createTermNormalizer(tools);
  const splitter = createSentenceSplitter(tools, normalizer);
  const passageSentences = createPassageSentenceReader(splitter);
  const startsWithName = (text: string) => (tools.read(text).tokens().out(tools.its.pos) as string[])[0] === 'PROPN';

  /** The best passages that fit the model's context beside the prompt, the question, the history and the reply. */
  async function passagesThatFit(generator: Generator, request: AnswerRequest): Promise<GivenPassage[]> {
    const skeleton = versionedGroundedAnswerPrompt({ question: request.question, sources: [], history: request.history });
    let budget = generator.info.contextTokens - maxTokens - TEMPLATE_ALLOWANCE - (await generator.countTokens(skeleton.messages.map((m) => m.content).join('\n')));
    const given: GivenPassage[] = [];
    const terms = questionTerms(request.question, normalizer);
    for (const retrieved of request.passages) {
      if (given.length >= maxPassages) break;
      const documentText = request.documentText(retrieved.docId);
      if (documentText.slice(retrieved.start, retrieved.end) !== retrieved.text) continue; // stale offsets cannot be cited
      const passage = focusPassage(retrieved, terms, documentText, focusSentences, { normalizer, passageSentences });
      // Overlapping chunks can focus on the same sentences: the model reads them once.
      if (given.some((g) => g.passage.docId === passage.docId && g.passage.start <= passage.start && passage.end <= g.passage.end)) continue;
      const cost = await generator.countTokens(sourceBlock({ n: given.length + 1, docId: passage.docId, heading: passage.heading, text: passage.text }));
      if (cost > budget) break;
      budget -= cost;
      given.push({ n: given.length + 1, passage });
    }
    return given;
  }

  async function* answerStream(request: AnswerRequest): AsyncGenerator<AnswerEvent, Answer> {
    throwIfAborted(request.signal);
    const extractive = await fallback.answer(request);
    const base = { generator: id, promptVersion: GROUNDED_ANSWER_PROMPT_VERSION };
    if (!generator) {
      const why = unavailable ?? { code: 'GENERATOR_MISSING', message: `${info.model} is not loaded in this thread` };
      return { ...extractive, generation: emptyReport(base, { code: why.code, message: why.message }) };
    }
    if (extractive.abstained && extractive.abstentionReason !== null && NOTHING_TO_READ.has(extractive.abstentionReason)) {
      return { ...extractive, generation: emptyReport(base, null) };
    }
    const given = await passagesThatFit(generator, request);
    if (given.length === 0) {
      return { ...extractive, generation: emptyReport(base, { code: 'GENERATOR_FAILED', message: `no passage fits the context window of ${generator.info.model} (${generator.info.contextTokens} tokens): use a model with a longer context, or lower CHUNK_SIZE and re-ingest` }) };
    }
    const prompt = versionedGroundedAnswerPrompt({
      question: request.question,
      history: request.history,
      sources: given.map(({ n, passage }) => ({ n, docId: passage.docId, heading: passage.heading, text: passage.text })),
    });

    const reranker = request.reranker ?? (request.embed ? createEmbeddingReranker(request.embed) : undefined);
    const verifierTools = { normalizer, passageSentences, documentText: request.documentText, weights, startsWithName, ...(reranker ? { reranker } : {}), ...(request.signal ? { signal: request.signal } : {}) };
    const sentences: GeneratedSentence[] = [];
    const citations: Citation[] = [];
    const verdicts: SentenceVerdict[] = [];
    let reply = '';

    const seen = new Set<string>();
    let repeats = 0;
    /** Judges one finished sentence and numbers the citations of a verified one, in the order they appear. */
    const judge = async (raw: string): Promise<GeneratedSentence | null> => {
      // A small model falls into loops: a sentence it has written already is dropped, and a second repeat ends the reply.
      const key = readMarkers(raw).text.toLowerCase().replace(/\W+/g, ' ').trim();
      if (seen.has(key)) {
        if (++repeats >= MAX_REPEATS) stopWriting('the model repeated itself');
        return null;
      }
      seen.add(key);
      const verdict = await verifySentence(raw, given, verifierTools);
      if (verdict.text === '') return null; // markers alone
      verdicts.push(verdict);
      const own: Citation[] = verdict.support.map((span) => {
        const known = citations.find((c) => c.docId === span.docId && c.start === span.start && c.end === span.end);
        if (known) return known;
        const citation: Citation = { n: citations.length + 1, ...span, quote: request.documentText(span.docId).slice(span.start, span.end) };
        citations.push(citation);
        return citation;
      });
      const sentence: GeneratedSentence = {
        index: sentences.length,
        text: verdict.text,
        written: raw,
        status: verdict.status,
        citations: own,
        cited: verdict.cited,
        removedMarkers: verdict.removedMarkers,
        missing: verdict.missing,
        invented: verdict.invented,
        facts: verdict.facts,
        attributed: verdict.attributed,
        reason: verdict.reason,
      };
      sentences.push(sentence);
      if (sentences.length >= maxSentences) stopWriting(`${maxSentences} sentences were written`);
      return sentence;
    };

    /** The sentence a stopped reply broke off in: shown as it is, uncited, never checked as if it were a claim. */
    const cutOff = (raw: string): GeneratedSentence | null => {
      const { text } = readMarkers(raw);
      if (text === '') return null;
      const sentence: GeneratedSentence = {
        index: sentences.length,
        text,
        written: raw,
        status: 'uncited',
        citations: [],
        cited: [],
        removedMarkers: [],
        missing: [],
        invented: [],
        facts: 0,
        attributed: false,
        reason: 'the model was stopped before it finished this sentence',
      };
      sentences.push(sentence);
      return sentence;
    };

    const stop = new AbortController();
    /** Set when the answerer itself ended the reply (enough sentences, a loop): not a failure. */
    let stoppedBecause: string | null = null;
    function stopWriting(why: string): void {
      stoppedBecause ??= why;
      stop.abort(new Error(why));
    }
    const onAbort = () => stop.abort(request.signal?.reason);
    request.signal?.addEventListener('abort', onAbort, { once: true });
    let outOfTime = false;
    const timer = setTimeout(() => {
      outOfTime = true;
      stop.abort(new GeneratorError('GENERATOR_TIMEOUT', `${generator.info.model} did not finish within ${timeoutMs} ms: raise GENERATOR_TIMEOUT_MS, lower GENERATOR_MAX_TOKENS, or use a faster model`));
    }, timeoutMs);
    const t0 = performance.now();
    let firstTokenAt: number | null = null;
    let tokens = 0;
    let failure: { code: string; message: string } | null = null;
    const splitReply = createSentenceStream(splitter);
    const abstaining = () => isAbstention(readMarkers(reply).text);
    try {
      try {
        for await (const piece of generator.stream(prompt.messages, { maxTokens, signal: stop.signal })) {
          firstTokenAt ??= performance.now();
          tokens++;
          reply += piece;
          yield { type: 'token', text: piece };
          for (const raw of splitReply.push(piece)) {
            const sentence = abstaining() || stoppedBecause !== null ? null : await judge(raw);
            if (sentence) yield { type: 'verification', sentence };
          }
          if (stoppedBecause !== null) break;
        }
      } catch (error) {
        if (request.signal?.aborted) throw request.signal.reason instanceof AbortedError ? request.signal.reason : new AbortedError();
        if (!outOfTime && stoppedBecause === null) {
          failure = GeneratorError.isInstance(error) && error.code.startsWith('GENERATOR_') ? { code: error.code, message: error.message } : { code: 'GENERATOR_FAILED', message: `${generator.info.model} failed while writing: ${error instanceof Error ? error.message : String(error)}` };
        }
      }
      if (!abstaining() && stoppedBecause === null) {
        const rest = splitReply.end();
        // A reply stopped early (time, token limit, failure) ends in a sentence the model did not finish: never judged.
        const stoppedEarly = outOfTime || failure !== null || tokens >= maxTokens;
        const unfinished = stoppedEarly && rest.length > 0 && !FINISHED_SENTENCE.test(rest.at(-1)!) ? rest.pop()! : null;
        for (const raw of rest) {
          const sentence = await judge(raw);
          if (sentence) yield { type: 'verification', sentence };
        }
        if (unfinished !== null) {
          const sentence = cutOff(unfinished);
          if (sentence) yield { type: 'verification', sentence };
        }
      }
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
    }

    const generationMs = performance.now() - t0;
    // Cut short by the clock, the token limit, or a failure after some sentences were written.
    const truncated = outOfTime || tokens >= maxTokens || failure !== null || stoppedBecause !== null;
    const report = (fallbackNote: GenerationReport['fallback']): GenerationReport => ({
      ...base,
      sentences,
      totals: {
        verified: sentences.filter((s) => s.status === 'verified').length,
        unsupported: sentences.filter((s) => s.status === 'unsupported').length,
        uncited: sentences.filter((s) => s.status === 'uncited').length,
        removedMarkers: verdicts.reduce((sum, v) => sum + v.removedMarkers.length, 0),
      },
      fallback: fallbackNote,
      truncated,
      tokens,
      timeToFirstTokenMs: firstTokenAt === null ? null : round(firstTokenAt - t0),
      generationMs: round(generationMs),
    });

    if (failure) logger?.warn({ generator: generator.id, code: failure.code, reason: failure.message, verifiedSoFar: sentences.filter((s) => s.status === 'verified').length }, 'generator failed');
    if (failure && sentences.every((s) => s.status !== 'verified')) {
      return { ...extractive, generation: report(failure) };
    }
    if (abstaining()) {
      return { answer: ABSTENTION_TEXT, shortAnswer: null, shortAnswerConfident: false, abstained: true, abstentionReason: 'GENERATOR_ABSTAINED', citations: [], confidence: { answer: extractive.confidence.answer, shortAnswer: 0 }, generation: report(null) };
    }
    const verified = sentences.filter((s) => s.status === 'verified');
    if (verified.length === 0) {
      const message = outOfTime
        ? `${generator.info.model} wrote no checkable sentence within ${timeoutMs} ms: raise GENERATOR_TIMEOUT_MS or use a faster model`
        : `none of the ${sentences.length} sentence(s) ${generator.info.model} wrote could be checked against the passages it cited, so the quoted answer is shown`;
      logger?.info({ generator: generator.id, sentences: sentences.length }, 'nothing generated was verified: answering extractively');
      return { ...extractive, generation: report({ code: outOfTime ? 'GENERATOR_TIMEOUT' : 'NOTHING_VERIFIED', message }) };
    }
    const answer = verified.map(citedSentenceText).join(' ');
    return {
      answer,
      shortAnswer: null,
      shortAnswerConfident: false,
      abstained: false,
      abstentionReason: null,
      citations: verified.flatMap((s) => s.citations).filter((c, i, all) => all.findIndex((o) => o.n === c.n) === i),
      // The evidence gate's calibrated probability that the passages hold the answer: the model writes from them.
      confidence: { answer: extractive.confidence.answer, shortAnswer: 0 },
      generation: report(null),
    };
  }

  /** Asks the model for the follow-up as a standalone question: short, one line, or nothing. */
  async function rewriteFollowUp(question: string, history: AnswerRequest['history'], signal?: AbortSignal): Promise<FollowUpRewrite | null> {
    if (!generator || history.length === 0) return null;
    const prompt = followUpRewritePrompt({ question, history });
    const stop = new AbortController();
    const onAbort = () => stop.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => stop.abort(new GeneratorError('GENERATOR_TIMEOUT', 'the follow-up rewrite took too long')), Math.min(timeoutMs, REWRITE_TIMEOUT_MS));
    let reply = '';
    try {
      for await (const piece of generator.stream(prompt.messages, { maxTokens: REWRITE_MAX_TOKENS, signal: stop.signal })) {
        reply += piece;
        if (reply.includes('\n') && reply.trim() !== '') break;
      }
    } catch (error) {
      if (signal?.aborted) throw signal.reason instanceof AbortedError ? signal.reason : new AbortedError();
      logger?.info({ generator: id, reason: error instanceof Error ? error.message : String(error) }, 'follow-up rewrite failed: the rule-based reading is used');
      return null;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    const rewritten = reply.trim().split('\n')[0]!.replace(/^standalone question:\s*/i, '').replace(/^["“]|["”]$/g, '').trim();
    // A model that answers, rambles or echoes nothing useful is ignored.
    if (rewritten.length < 3 || rewritten.length > Math.max(200, question.length * 4)) return null;
    return { question: rewritten, promptVersion: prompt.version };
  }

  return {
    name: `generative(${id})`,
    rewriteFollowUp,
    generator: { id, kind: info.kind, model: info.model, contextTokens: info.contextTokens, problem: unavailable?.message ?? null },
    answerStream,
    async answer(request) {
      if (request.quoteOnly) return fallback.answer(request);
      const stream = answerStream(request);
      for (;;) {
        const step = await stream.next();
        if (step.done) return step.value;
      }
    },
  };
}

/** A passage's block in the prompt, for counting what it costs. */
function sourceBlock(source: PromptSource): string {
  return versionedGroundedAnswerPrompt({ question: '', sources: [source] }).messages[0]!.content.split('Passages:\n')[1] ?? source.text;
}

function emptyReport(base: { generator: string; promptVersion: string }, fallbackNote: GenerationReport['fallback']): GenerationReport {
  return { ...base, sentences: [], totals: { verified: 0, unsupported: 0, uncited: 0, removedMarkers: 0 }, fallback: fallbackNote, truncated: false, tokens: 0, timeToFirstTokenMs: null, generationMs: 0 };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
