/**
 * The real `Embedder`: a transformers.js model run locally with onnxruntime-node, pooled the way sentence-transformers
 * pools it. `loadEmbedder` (load-embedder.ts, over models/load-model-pipeline.ts) finds the model and builds it; this
 * file only turns texts into vectors.
 */
import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import type { FeatureExtractionPipeline, Tensor, mean_pooling } from '@huggingface/transformers';
import { ModelUnavailableError, throwIfAborted } from '../errors.js';
import type { Embedder, EmbedderModel } from './embedder.js';
import { inEmbeddingOrder } from './length-order.js';

/** Texts `countTokens` tokenises between two turns of the event loop: about 50 ms of a chunk-sized text each. */
const COUNT_SLICE = 100;

/** Output names transformers.js's own feature-extraction pipeline looks for, in its order, when a model names none. */
const STANDARD_TOKEN_OUTPUTS = ['last_hidden_state', 'logits', 'token_embeddings'] as const;

/** What `TransformersEmbedder` wraps. */
export interface TransformersEmbedderParts {
  /** A loaded feature-extraction pipeline (its tokenizer and model are used); the embedder owns it and disposes it. */
  readonly extractor: FeatureExtractionPipeline;
  /** What the vectors come from; part of `id`. */
  readonly model: EmbedderModel;
  /** Texts per model call; each batch is padded to its longest text. */
  readonly batchSize: number;
  /** Tokens per text, special tokens included; longer texts are truncated. */
  readonly maxTokens: number;
  /** The ONNX output with one vector per token; when absent, the first of transformers.js's standard names present. */
  readonly tokenOutput?: string;
  /**
   * transformers.js's masked mean pooling, handed in by `loadEmbedder` once the library is loaded: importing it here
   * would load transformers.js and ONNX Runtime into every process and worker that merely imports the pipeline.
   */
  readonly meanPooling: typeof mean_pooling;
}

/** An `Embedder` over a transformers.js model. Build it with `loadEmbedder`, which handles lookup and download. */
export class TransformersEmbedder implements Embedder {
  /**
   * `transformers:<modelId>:<dtype>:<pooling>:<first 12 hex of the ONNX SHA-256>`: the file, its precision and the
   * pooling change the vectors as much as the model name does, so each is part of the identity an index records.
   */
  readonly id: string;
  readonly dimension: number;
  readonly model: EmbedderModel;
  private readonly extractor: FeatureExtractionPipeline;
  private readonly batchSize: number;
  private readonly maxTokens: number;
  private readonly tokenOutput: string | undefined;
  private readonly meanPooling: typeof mean_pooling;
  private disposed = false;

  constructor(parts: TransformersEmbedderParts) {
    this.extractor = parts.extractor;
    this.model = parts.model;
    this.dimension = parts.model.dimension;
    this.batchSize = parts.batchSize;
    this.maxTokens = parts.maxTokens;
    this.tokenOutput = parts.tokenOutput;
    this.meanPooling = parts.meanPooling;
    const { modelId, dtype, pooling, onnxSha256 } = parts.model;
    this.id = `transformers:${modelId}:${dtype}:${pooling}:${onnxSha256.slice(0, 12)}`;
  }

  /**
   * Embeds `texts` in batches of `batchSize`, formed longest text first by token count (length-order.ts) so that
   * each batch pads little; the vectors come back in the order of `texts`. `signal` is checked between batches (a
   * running batch finishes). Texts longer than `maxTokens` are truncated as sentence-transformers truncates them:
   * the text is cut and the closing separator token kept.
   */
  async embed(texts: readonly string[], options: { signal?: AbortSignal } = {}): Promise<number[][]> {
    if (this.disposed) throw new ModelUnavailableError(this.model.modelId, 'this embedder was disposed; load the model again');
    const positions = [...texts.keys()];
    const order = texts.length > this.batchSize ? await inEmbeddingOrder(this, positions, (i) => texts[i]!, options) : positions;
    const vectors: number[][] = new Array<number[]>(texts.length);
    for (let start = 0; start < order.length; start += this.batchSize) {
      throwIfAborted(options.signal);
      const rows = order.slice(start, start + this.batchSize);
      const embedded = (await this.embedBatch(rows.map((i) => texts[i]!))).tolist() as number[][];
      rows.forEach((i, j) => (vectors[i] = embedded[j]!));
    }
    return vectors;
  }

  /**
   * Tokenises each text alone, as `embed` would (truncated at `maxTokens`), and counts its tokens; yields to the
   * event loop every COUNT_SLICE texts.
   */
  async countTokens(texts: readonly string[], options: { signal?: AbortSignal } = {}): Promise<number[]> {
    const { tokenizer } = this.extractor;
    const counts: number[] = [];
    for (const text of texts) {
      if (counts.length % COUNT_SLICE === 0 && counts.length > 0) {
        await setImmediatePromise();
        throwIfAborted(options.signal);
      }
      counts.push(Math.min(tokenizer.encode(text).length, this.maxTokens));
    }
    return counts;
  }

  private async embedBatch(texts: readonly string[]): Promise<Tensor> {
    const { tokenizer, model } = this.extractor;
    const inputs = tokenizer([...texts], { padding: true, truncation: true, max_length: this.maxTokens });
    keepClosingSeparator(inputs.input_ids as Tensor, inputs.attention_mask as Tensor, tokenizer.sep_token_id);
    const outputs = (await model(inputs)) as Record<string, Tensor | undefined>;
    const name = this.tokenOutput ?? STANDARD_TOKEN_OUTPUTS.find((candidate) => outputs[candidate] !== undefined);
    const tokens = name === undefined ? undefined : outputs[name];
    if (!tokens || tokens.dims.length !== 3) {
      throw new ModelUnavailableError(this.model.modelId, `the model has no per-token output ${name ?? `(looked for ${STANDARD_TOKEN_OUTPUTS.join(', ')})`} of shape [batch, tokens, dimension]; it has ${Object.keys(outputs).join(', ')}`);
    }
    const pooled = this.model.pooling === 'cls' ? tokens.slice(null, 0, null) : this.meanPooling(tokens, inputs.attention_mask as Tensor);
    return pooled.normalize(2, -1);
  }

  /** Frees the ONNX session; later `embed` calls throw. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.extractor.dispose();
  }
}

/**
 * transformers.js truncates a long text by cutting its token list, closing separator included; the Python tokenizers
 * the models were trained with cut the text and keep the separator. Rows that fill the padded length without ending
 * in the separator were cut: put it back in their last place.
 */
function keepClosingSeparator(inputIds: Tensor, attentionMask: Tensor, sepTokenId: number | undefined): void {
  if (sepTokenId === undefined || inputIds.dims.length !== 2) return;
  const [rows = 0, width = 0] = inputIds.dims;
  const ids = inputIds.data as BigInt64Array;
  const mask = attentionMask.data as BigInt64Array;
  const sep = BigInt(sepTokenId);
  for (let row = 0; row < rows; row++) {
    const last = row * width + width - 1;
    if (mask[last] === 1n && ids[last] !== sep) ids[last] = sep;
  }
}
