/**
 * The reference for embedding throughput: the model's ONNX file in a bare onnxruntime-node `InferenceSession`, fed
 * input tensors that were tokenised once beforehand, so that timing it times `session.run` alone — what is left when
 * Verbatim's tokenising, pooling, normalising, copying and batching are taken away. Same ONNX Runtime build as
 * transformers.js loads (onnxruntime-node is its dependency), same file, same batches padded the same way.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { AutoTokenizer, PreTrainedTokenizer, type Tensor } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';

/** Batches of input tensors, by input name, ready for `session.run`. */
export type Feeds = readonly Record<string, ort.Tensor>[];

/** A bare ONNX Runtime session over one model file. */
export interface RawSession {
  readonly session: ort.InferenceSession;
  /** `session.run` over every batch in turn; milliseconds. Outputs are dropped. */
  time(feeds: Feeds): Promise<number>;
  release(): Promise<void>;
}

/**
 * Opens `file` with ONNX Runtime's defaults, except `intraOpThreads` when given.
 * @param intraOpThreads `intraOpNumThreads`; null leaves ONNX Runtime's own choice
 */
export async function openRawSession(file: string, intraOpThreads: number | null): Promise<RawSession> {
  const session = await ort.InferenceSession.create(file, intraOpThreads === null ? {} : { intraOpNumThreads: intraOpThreads });
  return {
    session,
    async time(feeds) {
      const started = performance.now();
      for (const feed of feeds) await session.run(feed);
      return performance.now() - started;
    },
    release: () => session.release(),
  };
}

/**
 * The model folder's tokenizer, built straight from `tokenizer.json` and `tokenizer_config.json` (the class the
 * config names, as `AutoTokenizer` picks it), without transformers.js's file lookup and its global settings.
 */
export async function loadFolderTokenizer(folder: string): Promise<PreTrainedTokenizer> {
  const read = async (name: string): Promise<Record<string, unknown>> => JSON.parse(await fs.readFile(path.join(folder, name), 'utf8')) as Record<string, unknown>;
  const [json, config] = await Promise.all([read('tokenizer.json'), read('tokenizer_config.json')]);
  const name = String(config.tokenizer_class ?? '').replace(/Fast$/, '');
  const mapping = AutoTokenizer.TOKENIZER_CLASS_MAPPING as Record<string, typeof PreTrainedTokenizer>;
  const Class = mapping[name] ?? PreTrainedTokenizer;
  return new Class(json, config);
}

/** Token counts of a set of feeds. */
export interface FeedShape {
  /** Texts. */
  readonly rows: number;
  /** Tokens the model sees, padding included. */
  readonly paddedTokens: number;
  /** Tokens of the texts themselves (attention mask set). */
  readonly realTokens: number;
}

/**
 * Tokenises `texts` in consecutive batches of `batchSize` exactly as `TransformersEmbedder` does (padding to the
 * longest text of the batch, truncating at `maxTokens`) into int64 tensors for the session's inputs.
 */
export function tokenizeBatches(tokenizer: PreTrainedTokenizer, texts: readonly string[], options: { batchSize: number; maxTokens: number; inputNames: readonly string[] }): { feeds: Feeds; shape: FeedShape } {
  const feeds: Record<string, ort.Tensor>[] = [];
  let paddedTokens = 0;
  let realTokens = 0;
  for (let start = 0; start < texts.length; start += options.batchSize) {
    const inputs = tokenizer(texts.slice(start, start + options.batchSize), { padding: true, truncation: true, max_length: options.maxTokens }) as Record<string, Tensor | undefined>;
    const feed: Record<string, ort.Tensor> = {};
    for (const name of options.inputNames) {
      const tensor = inputs[name];
      if (!tensor) throw new Error(`the tokenizer gives no ${name}, which the model takes (it gives ${Object.keys(inputs).join(', ')})`);
      feed[name] = new ort.Tensor('int64', tensor.data as BigInt64Array, tensor.dims);
    }
    const mask = inputs.attention_mask;
    if (mask) for (const bit of mask.data as BigInt64Array) realTokens += Number(bit);
    paddedTokens += (inputs.input_ids?.dims ?? [0, 0]).reduce((a, b) => a * b, 1);
    feeds.push(feed);
  }
  return { feeds, shape: { rows: texts.length, paddedTokens, realTokens } };
}
