import type { Config } from './config.js';
import { InputError, throwIfAborted } from './errors.js';
import type { AnswerRequest, Answerer } from './answer/answerer.js';
import type { SpanReader } from './answer/span-reader.js';
import { contextualizeQuestion } from './conversation/contextualize-question.js';
import type { Embedder, EmbedderModel } from './embed/embedder.js';
import type { Generator as TextGenerator } from './generate/generator.js';
import { closeIndex, type LoadedIndexData } from './index/index-files.js';
import type { Manifest } from './index/manifest.js';
import { hybridSearch, type VectorSearch } from './search/hybrid-search.js';
import { TurnTakingQueue } from './turn-taking-queue.js';
import { withPages } from './corpus/page-map.js';
import type { Answer, AskResult, ChatTurn, Citation, GeneratedSentence, Passage, RetrievalMode, SourceDocument } from './types.js';

/**
 * One event of a streamed answer, in order: passages, then tokens and citations, then done. A generative answer's
 * tokens are the model's text as it writes it (its own `[n]` markers, naming passages); after each of its sentences
 * comes a `verification` event with the verdict on it, then a `citation` event per citation of a verified one. Its
 * `done` result holds the answer as checked, which is what to show in the end.
 */
export type AskEvent =
  | { readonly type: 'passages'; readonly passages: AskResult['passages'] }
  /** `draft`: a language model's text, not yet checked; the `verification` events say what each sentence of it became. */
  | { readonly type: 'token'; readonly text: string; readonly draft?: true }
  | { readonly type: 'verification'; readonly sentence: GeneratedSentence }
  | { readonly type: 'citation'; readonly citation: Citation }
  | { readonly type: 'done'; readonly result: AskResult };

/** A question to answer. */
export interface AskRequest {
  readonly question: string;
  readonly history?: readonly ChatTurn[];
  /** Echoed in the result, for JSONL batches and WebSocket asks. */
  readonly id?: string;
  /** Attach the answerer's trace (features, weights and scores behind the answer) to the result. */
  readonly explain?: boolean;
  /**
   * Answer by quoting the documents only, even when a language model is configured: for checks that must be quick
   * and need no prose (the starter questions). Not part of the wire protocol.
   */
  readonly quoteOnly?: boolean;
  readonly signal?: AbortSignal;
}

/** Index and corpus facts for health checks and the UI badge. */
export interface PipelineStatus {
  readonly mode: RetrievalMode;
  /** Why retrieval is lexical only, when it is. */
  readonly lexicalReason: string | null;
  readonly embedder: string | null;
  /** The embedding model in hybrid mode: id, ONNX SHA-256, dtype, pooling, dimension and where it came from. */
  readonly model: EmbedderModel | null;
  readonly answerer: string;
  /** The generative answerer's model, and why it cannot be used now when it cannot; null for the extractive answerer. */
  readonly generator: GeneratorStatus | null;
  readonly documents: number;
  readonly chunks: number;
  readonly indexBuiltAt: string;
}

/** The generator behind a generative answerer, for health output. */
export interface GeneratorStatus {
  readonly id: string;
  readonly kind: 'local' | 'openai-compatible';
  readonly model: string;
  readonly contextTokens: number;
  /** Why it cannot be used (answers quote the documents instead), or null. */
  readonly problem: string | null;
}

/** What the pool of answering threads is doing, for `/api/health`. */
export interface AnswerWorkerStats {
  /** Worker threads running now (briefly fewer while a stopped one is replaced). */
  readonly threads: number;
  /** Tasks waiting for a free worker. */
  readonly queued: number;
  /**
   * Tasks ended by force because they overran their deadline or were cancelled and did not stop at a step boundary
   * in time; a running one takes its worker thread with it (a replacement is started).
   */
  readonly terminated: number;
  /** Tasks handed to the pool whose work has not ended, queued ones included: a stopped task counts until its worker has let go of it. */
  readonly inFlight: number;
}

/** A document as listed to users. */
export interface DocumentSummary {
  readonly id: string;
  readonly title: string;
  readonly length: number;
  readonly chunks: number;
  /** PDFs: how many pages it has; null for other documents. */
  readonly pages: number | null;
  /** The size of its file in bytes; null when the index predates recording it and never stamped the file. */
  readonly bytes: number | null;
  /**
   * When it was first indexed (ISO 8601), unchanged while its file is edited in place; null for a document first
   * indexed before the index recorded it.
   */
  readonly addedAt: string | null;
}

/** Retrieval and answering over one loaded index. */
export interface Pipeline {
  readonly status: PipelineStatus;
  /** The index generation folder this pipeline answers from. */
  readonly generationDir: string;
  /** The answering worker threads, when asks run in a pool (the server); absent in-process. */
  readonly workers?: AnswerWorkerStats;
  /** Ranked passages for a query. */
  search(query: string, options?: { k?: number; signal?: AbortSignal }): Promise<Passage[]>;
  /** Answers a question in one go; the same result as the `done` event of `askStream`. */
  ask(request: AskRequest): Promise<AskResult>;
  /** Answers a question as a stream of events. */
  askStream(request: AskRequest): AsyncGenerator<AskEvent, AskResult>;
  listDocuments(): DocumentSummary[];
  /** The exact text citations index into; undefined for ids not in the index. */
  getDocument(id: string): SourceDocument | undefined;
  close(): Promise<void>;
}

/** What `createPipeline` wires together. */
export interface PipelineParts {
  readonly config: Config;
  readonly index: LoadedIndexData;
  /** The vector index, when the index has vectors and the embedder that built them is loaded. */
  readonly vectors: VectorSearch | null;
  readonly embedder: Embedder | null;
  readonly lexicalReason: string | null;
  readonly answerer: Answerer;
  /** The answerer's reading-comprehension model, when one is configured; the pipeline disposes it on close. */
  readonly reader?: SpanReader | null;
  /** The generative answerer's model; the pipeline disposes it on close. */
  readonly generator?: TextGenerator;
}

/** Splits an answer into word tokens (keeping the spaces) for streaming. */
export function streamTokens(answer: string): string[] {
  return answer.match(/\S+\s*|\s+/g) ?? [];
}

/**
 * The `token` and `citation` events of a finished answer, in stream order: the answer word by word, each citation right
 * after the token holding its marker `[n]`. A worker thread that has a whole answer at once sends the answer alone and
 * the server thread rebuilds these events with this same function.
 */
export function* answerEvents(answer: Pick<Answer, 'answer' | 'citations'>): Generator<AskEvent> {
  const byMarker = new Map(answer.citations.map((c) => [c.n, c]));
  for (const token of streamTokens(answer.answer)) {
    yield { type: 'token', text: token };
    for (const match of token.matchAll(/\[(\d+)\]/g)) {
      const citation = byMarker.get(Number(match[1]));
      if (citation) yield { type: 'citation', citation };
    }
  }
}

/** Runs an ask's event stream to its end and returns what it returns: the answer `ask` gives in one go. */
export async function finalResult(stream: AsyncGenerator<AskEvent, AskResult>): Promise<AskResult> {
  for (;;) {
    const step = await stream.next();
    if (step.done) return step.value;
  }
}

function publicPassages(passages: readonly Passage[]): AskResult['passages'] {
  return passages.map((p) => ({ docId: p.docId, start: p.start, end: p.end, score: p.score, heading: p.heading, text: p.text, scores: p.scores }));
}

/** Builds the pipeline over a loaded index; the index's manifest decides hybrid or lexical mode. */
export function createPipeline(parts: PipelineParts): Pipeline {
  const { config, index, vectors, embedder, answerer, reader, generator } = parts;
  const manifest: Manifest = index.manifest;
  const mode: RetrievalMode = vectors && embedder ? 'hybrid' : 'lexical';
  // Documents and chunks are read from the generation's store when a search or an answer needs them.
  const { store, lexical } = index;
  const documents = { get: (id: string) => store.document(id) };
  const chunkById = { get: (id: string) => store.chunk(id) };
  const status: PipelineStatus = Object.freeze({
    mode,
    lexicalReason: mode === 'lexical' ? (parts.lexicalReason ?? manifest.lexicalReason ?? 'no embedder') : null,
    embedder: mode === 'hybrid' ? (embedder?.id ?? null) : null,
    model: mode === 'hybrid' ? (embedder?.model ?? null) : null,
    answerer: answerer.name,
    generator: answerer.generator ?? null,
    documents: manifest.documents.length,
    chunks: manifest.chunkCount,
    indexBuiltAt: manifest.builtAt,
  });
  const turns = new TurnTakingQueue();
  const embed = mode === 'hybrid' && embedder ? (texts: readonly string[]) => embedder.embed(texts) : undefined;
  // Citations of PDFs carry the pages they touch, wherever they leave the pipeline: events, the answer, its sentences.
  const locate = (citation: Citation): Citation => withPages(citation, documents.get(citation.docId)?.pages);
  const locateSentence = (sentence: GeneratedSentence): GeneratedSentence =>
    sentence.citations.length === 0 ? sentence : { ...sentence, citations: sentence.citations.map(locate) };
  const locateAnswer = (answer: Answer): Answer => ({
    ...answer,
    citations: answer.citations.map(locate),
    ...(answer.generation ? { generation: { ...answer.generation, sentences: answer.generation.sentences.map(locateSentence) } } : {}),
  });

  async function search(query: string, options: { k?: number; signal?: AbortSignal } = {}): Promise<Passage[]> {
    throwIfAborted(options.signal);
    const queryVector = embed ? (await embed([query]))[0] : undefined;
    return turns.run(() => {
      throwIfAborted(options.signal);
      return hybridSearch({
        query,
        queryVector,
        chunkById,
        lexical,
        vectors: mode === 'hybrid' ? vectors : null,
        k: options.k ?? config.topK,
        candidatesPerSignal: config.candidatesPerSignal,
        rrfK: config.rrfK,
      });
    });
  }

  async function* askStream(request: AskRequest): AsyncGenerator<AskEvent, AskResult> {
    const question = typeof request.question === 'string' ? request.question.trim() : '';
    if (question === '') throw new InputError('the question is empty: ask something about the documents', { code: 'EMPTY_QUESTION' });
    const history = request.history ?? [];
    const t0 = performance.now();
    let context = contextualizeQuestion(question, history);
    // A language model reads a follow-up against the conversation better than rules do; its rewrite is searched with.
    const rewrite = context.followUp !== 'none' && answerer.rewriteFollowUp && !request.quoteOnly ? await answerer.rewriteFollowUp(question, history, request.signal) : null;
    if (rewrite) context = { ...context, retrievalQuery: rewrite.question };
    const passages = await search(context.retrievalQuery, { signal: request.signal });
    const t1 = performance.now();
    yield { type: 'passages', passages: publicPassages(passages) };
    let tAnswer = 0;
    const answerRequest = (): AnswerRequest => ({
      question,
      history,
      context,
      passages,
      documentText: (docId) => documents.get(docId)?.text ?? '',
      embed,
      ...(request.explain ? { explain: true } : {}),
      ...(request.quoteOnly ? { quoteOnly: true } : {}),
      signal: request.signal,
    });
    let answer: Answer;
    if (answerer.answerStream && !request.quoteOnly) {
      // A model writes for seconds, mostly waiting: other asks take their turns meanwhile.
      throwIfAborted(request.signal);
      tAnswer = performance.now();
      const stream = answerer.answerStream(answerRequest());
      for (;;) {
        const step = await stream.next();
        if (step.done) {
          answer = locateAnswer(step.value);
          break;
        }
        throwIfAborted(request.signal);
        const event = step.value.type === 'verification' ? { ...step.value, sentence: locateSentence(step.value.sentence) } : step.value;
        yield event.type === 'token' ? { type: 'token', text: event.text, draft: true } : event;
        if (event.type === 'verification') for (const citation of event.sentence.citations) yield { type: 'citation', citation };
      }
    } else {
      answer = locateAnswer(
        await turns.run(() => {
          throwIfAborted(request.signal);
          tAnswer = performance.now();
          return answerer.answer(answerRequest());
        }),
      );
      for (const event of answerEvents(answer)) {
        if (event.type === 'token') throwIfAborted(request.signal);
        yield event;
      }
    }
    const t2 = performance.now();
    const result: AskResult = {
      ...(request.id !== undefined ? { id: request.id } : {}),
      question,
      retrievalQuery: context.retrievalQuery,
      answer: answer.answer,
      shortAnswer: answer.shortAnswer,
      shortAnswerConfident: answer.shortAnswerConfident,
      confidence: answer.confidence,
      abstained: answer.abstained,
      abstentionReason: answer.abstentionReason,
      citations: answer.citations,
      ...(answer.trace ? { trace: answer.trace } : {}),
      ...(answer.generation ? { generation: answer.generation } : {}),
      ...(rewrite ? { rewrite: { promptVersion: rewrite.promptVersion } } : {}),
      passages: publicPassages(passages),
      mode,
      timingsMs: { total: round(performance.now() - t0), retrieve: round(t1 - t0), answer: round(t2 - tAnswer) },
    };
    yield { type: 'done', result };
    return result;
  }

  const ask = (request: AskRequest): Promise<AskResult> => finalResult(askStream(request));

  return {
    status,
    generationDir: index.generationDir,
    search,
    ask,
    askStream,
    listDocuments: () => {
      const pages = store.pageCounts();
      return manifest.documents.map((d) => ({
        id: d.id,
        title: d.title,
        length: d.length,
        chunks: d.chunks,
        pages: pages.get(d.id) ?? null,
        bytes: d.bytes ?? d.file?.size ?? null,
        addedAt: d.addedAt ?? null,
      }));
    },
    getDocument: (id) => documents.get(id),
    close: async () => {
      closeIndex(index);
      await embedder?.dispose();
      await reader?.dispose();
      await generator?.dispose();
    },
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
