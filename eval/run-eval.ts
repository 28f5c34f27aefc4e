import type { Config } from '../retrieval/config.js';
import { InputError, throwIfAborted } from '../retrieval/errors.js';
import type { IngestProgress } from '../retrieval/ingest/ingest-corpus.js';
import type { Pipeline } from '../retrieval/pipeline.js';
import type { AskResult, ChatTurn, SourceDocument } from '../retrieval/types.js';
import type { EvalItem } from './dataset.js';
import { scoreQuestion, RETRIEVAL_DEPTH, type GoldForScoring, type QuestionScores } from './metrics/score-question.js';
import { locateEvidence } from './metrics/spans.js';
import { summarizeScores, type EvalSummary } from './metrics/summarize.js';
import { classifyQuestion } from './question-type.js';

/** The gold side of a question, copied onto its result line. */
export interface GoldFields extends GoldForScoring {
  readonly history?: readonly ChatTurn[];
}

/** One result line: exactly an `ask --json` result, plus the gold fields and the per-question scores. */
export type EvalResultLine = AskResult & { readonly gold: GoldFields; readonly scores: QuestionScores };

/** Facts about a run, kept next to its summary so numbers can be traced to a configuration. */
export interface EvalRunMeta {
  /** Name of the question set (file name, or SQuAD file plus sample). */
  readonly dataset: string;
  readonly questions: number;
  readonly mode: AskResult['mode'];
  readonly lexicalReason: string | null;
  readonly answerer: string;
  readonly documents: number;
  readonly chunks: number;
  readonly topK: number;
  readonly chunkSize: number;
  readonly chunkOverlap: number;
  /** Answerable questions with evidence strings that occur nowhere in the corpus (a dataset bug; should be 0). */
  readonly evidenceNotFound: number;
  /**
   * Questions where the top-K passages of the ask differ from the first K of the deeper retrieval used for
   * recall@10 (should be 0: retrieval ranks are a prefix of each other).
   */
  readonly retrievalPrefixMismatches: number;
  readonly startedAt: string;
  readonly timingsMs: { readonly ingest: number; readonly ask: number; readonly total: number };
}

/** A finished run. */
export interface EvalRun {
  readonly results: readonly EvalResultLine[];
  readonly summary: EvalSummary;
  readonly meta: EvalRunMeta;
}

/** Progress of a run, for a progress bar. */
export type EvalProgress = { readonly phase: 'ingest'; readonly ingest: IngestProgress } | { readonly phase: 'ask'; readonly done: number; readonly total: number };

/** Options of {@link runEval}. */
export interface RunEvalOptions {
  /** Corpus and index folders come from here; the index is brought up to date incrementally. */
  readonly config: Config;
  readonly items: readonly EvalItem[];
  /** Shown in summaries. @default "questions" */
  readonly dataset?: string;
  readonly onProgress?: (progress: EvalProgress) => void;
  /** Replaces `openPipeline` (tests inject a fake pipeline here). */
  readonly openPipeline?: (config: Config, onProgress: (p: IngestProgress) => void) => Promise<Pipeline>;
  /** Ask for the answerer's trace (features, weights, scores) and keep it on each result line (for fitting weights). */
  readonly explain?: boolean;
  readonly signal?: AbortSignal;
}

function samePassages(a: readonly { docId: string; start: number; end: number }[], b: readonly { docId: string; start: number; end: number }[]): boolean {
  return a.length === b.length && a.every((p, i) => p.docId === b[i]!.docId && p.start === b[i]!.start && p.end === b[i]!.end);
}

async function defaultOpen(config: Config, onProgress: (p: IngestProgress) => void): Promise<Pipeline> {
  // Loaded on first use, so the harness (and its tests with a fake pipeline) does not load the model stack up front.
  const { openPipeline } = await import('../retrieval/open-pipeline.js');
  return (await openPipeline({ config, ingest: true, onProgress })).pipeline;
}

/**
 * Checks that every gold span points into an indexed document at text the question set expects (answer spans
 * at an accepted answer, evidence spans at an evidence string), so offsets and corpus belong together.
 */
function checkGoldSpans(items: readonly EvalItem[], documents: ReadonlyMap<string, SourceDocument>): void {
  for (const item of items) {
    const spans = [...(item.goldSpans ?? []).map((span) => ({ span, expected: item.answers })), ...(item.evidenceSpans ?? []).map((span) => ({ span, expected: item.evidence }))];
    for (const { span, expected } of spans) {
      const doc = documents.get(span.docId);
      if (!doc || span.end > doc.text.length || !expected.includes(doc.text.slice(span.start, span.end))) {
        throw new InputError(`question ${item.id}: gold span ${span.docId}:${span.start}-${span.end} does not match the indexed corpus: the corpus does not belong to this question set`);
      }
    }
  }
}

/**
 * Ingests the corpus (incrementally) into the configured index, asks every question in-process with its
 * history, one at a time, and scores each answer. Latency is the harness's wall-clock time around each ask.
 * When `config.topK` is below {@link RETRIEVAL_DEPTH}, retrieval is additionally run to that depth with the
 * same retrieval query, only for recall@10/MRR; it is not timed and the answer does not see it.
 */
export async function runEval(options: RunEvalOptions): Promise<EvalRun> {
  const { config, items, signal } = options;
  const progress = options.onProgress ?? (() => {});
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const pipeline = await (options.openPipeline ?? defaultOpen)(config, (p) => progress({ phase: 'ingest', ingest: p }));
  try {
    const tIngest = performance.now();
    const documents = new Map<string, SourceDocument>();
    for (const { id } of pipeline.listDocuments()) {
      const doc = pipeline.getDocument(id);
      if (doc) documents.set(id, doc);
    }
    checkGoldSpans(items, documents);
    const documentText = (docId: string) => documents.get(docId)?.text;

    const results: EvalResultLine[] = [];
    let evidenceNotFound = 0;
    let retrievalPrefixMismatches = 0;
    let askMs = 0;
    progress({ phase: 'ask', done: 0, total: items.length });
    for (const item of items) {
      throwIfAborted(signal);
      const history = item.history ? [...item.history] : [];
      const started = performance.now();
      let result: AskResult;
      try {
        result = await pipeline.ask({ id: item.id, question: item.question, history, ...(options.explain ? { explain: true } : {}), signal });
      } catch (error) {
        if (error instanceof Error) error.message = `question ${item.id}: ${error.message}`;
        throw error;
      }
      const latencyMs = performance.now() - started;
      askMs += latencyMs;

      let passages: readonly { docId: string; start: number; end: number; text: string }[] = result.passages;
      if (item.answerable && result.passages.length < RETRIEVAL_DEPTH && config.topK < RETRIEVAL_DEPTH) {
        const deeper = await pipeline.search(result.retrievalQuery, { k: RETRIEVAL_DEPTH, signal });
        if (!samePassages(deeper.slice(0, result.passages.length), result.passages)) retrievalPrefixMismatches++;
        passages = deeper;
      }
      const evidenceSpans = item.evidenceSpans ?? locateEvidence(item.evidence, documents.values());
      if (item.answerable && item.evidence.length > 0 && !item.evidenceSpans && evidenceSpans.length === 0) evidenceNotFound++;
      const gold: GoldFields = {
        answers: item.answers,
        evidence: item.evidence,
        type: item.type ?? classifyQuestion(item.question),
        answerable: item.answerable,
        ...(item.history ? { history: item.history } : {}),
        ...(item.goldSpans ? { goldSpans: item.goldSpans } : {}),
      };
      const scores = scoreQuestion({ gold, output: result, passages, seenPassages: result.passages.length, evidenceSpans, documentText, latencyMs: Math.round(latencyMs * 100) / 100 });
      results.push({ ...result, gold, scores });
      progress({ phase: 'ask', done: results.length, total: items.length });
    }
    const tEnd = performance.now();
    const status = pipeline.status;
    return {
      results,
      summary: summarizeScores(results.map((r) => r.scores)),
      meta: {
        dataset: options.dataset ?? 'questions',
        questions: items.length,
        mode: status.mode,
        lexicalReason: status.lexicalReason,
        answerer: status.answerer,
        documents: status.documents,
        chunks: status.chunks,
        topK: config.topK,
        chunkSize: config.chunkSize,
        chunkOverlap: config.chunkOverlap,
        evidenceNotFound,
        retrievalPrefixMismatches,
        startedAt,
        timingsMs: { ingest: Math.round(tIngest - t0), ask: Math.round(askMs), total: Math.round(tEnd - t0) },
      },
    };
  } finally {
    await pipeline.close();
  }
}
