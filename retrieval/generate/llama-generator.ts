/**
 * The local generator: a GGUF model run in-process by node-llama-cpp on the CPU (its prebuilt binary, never a
 * build), formatted with the model's own chat template, decoding greedily so the same prompt gives the same answer.
 * Each `stream` call runs on a context sequence of its own, wiped first, so no call sees another's history; calls
 * beyond the number of sequences wait their turn. Loaded once per thread: each answering worker opens its own.
 */
import { access, constants } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ChatHistoryItem, Llama, LlamaContext, LlamaContextSequence, LlamaModel } from 'node-llama-cpp';
import type { PromptMessage } from '../../prompts/grounded-answer-prompt.js';
import { GeneratorError } from '../errors.js';
import type { GenerateOptions, Generator, GeneratorInfo } from './generator.js';
import { SequencePool } from './sequence-pool.js';

/** How `openLlamaGenerator` loads and runs a GGUF model. */
export interface LlamaGeneratorOptions {
  /** The GGUF file. */
  readonly modelPath: string;
  /** The catalog name, for the id, `info` and messages (`smollm2-135m-instruct`). */
  readonly name: string;
  /** The GGUF file's SHA-256 (from the folder check), part of the id. */
  readonly sha256: string;
  /** Tokens of context per sequence, prompt and reply together (the catalog entry's `contextTokens`). */
  readonly contextTokens: number;
  /** Longest wait for the first token, and for each next one, before the generation is stopped (GENERATOR_TIMEOUT_MS). */
  readonly timeoutMs: number;
  /** CPU threads for evaluation. @default 1 (GENERATOR_THREADS, through openConfiguredLocalGenerator, defaults to every core) */
  readonly threads?: number;
  /** Generations that may run at once, each on its own sequence (more wait their turn). @default 1 */
  readonly sequences?: number;
  /** Stops loading. */
  readonly signal?: AbortSignal;
}

/** Replies shorter than this cannot say anything; a prompt that leaves less room is refused rather than cut. */
const MIN_REPLY_TOKENS = 16;

/**
 * Loads a GGUF model as a {@link Generator}.
 * @throws GeneratorError `GENERATOR_MISSING` when the file is absent, unreadable or not a model node-llama-cpp can
 *   load, naming `npm run models -- fetch NAME`; `GENERATOR_FAILED` when node-llama-cpp itself cannot start.
 */
export async function openLlamaGenerator(options: LlamaGeneratorOptions): Promise<Generator> {
  const fetchHint = `run \`npm run models -- fetch ${options.name}\``;
  try {
    await access(options.modelPath, constants.R_OK);
  } catch (error) {
    throw new GeneratorError('GENERATOR_MISSING', `the local model ${options.name} is not at ${options.modelPath} (or cannot be read): ${fetchHint}`, { cause: error });
  }
  options.signal?.throwIfAborted();
  let nodeLlamaCpp: typeof import('node-llama-cpp');
  try {
    nodeLlamaCpp = await import('node-llama-cpp');
  } catch (error) {
    throw new GeneratorError('GENERATOR_FAILED', `node-llama-cpp could not be loaded (${messageOf(error)}): run \`npm ci\` to install it`, { cause: error });
  }
  let llama: Llama;
  try {
    // The prebuilt CPU binary only: never download or compile llama.cpp while serving.
    llama = await nodeLlamaCpp.getLlama({ gpu: false, build: 'never', logLevel: nodeLlamaCpp.LlamaLogLevel.error });
  } catch (error) {
    throw new GeneratorError('GENERATOR_FAILED', `node-llama-cpp has no usable prebuilt binary on this machine (${messageOf(error)}); the extractive answerer still works`, { cause: error });
  }
  let model: LlamaModel | undefined;
  try {
    model = await llama.loadModel({ modelPath: options.modelPath, loadSignal: options.signal });
    const sequences = options.sequences ?? 1;
    const context = await model.createContext({ contextSize: options.contextTokens, sequences, threads: options.threads ?? 1 });
    return new LlamaGenerator(nodeLlamaCpp, llama, model, context, options);
  } catch (error) {
    await model?.dispose().catch(() => undefined);
    await llama.dispose().catch(() => undefined);
    options.signal?.throwIfAborted();
    throw new GeneratorError('GENERATOR_MISSING', `the local model ${options.name} at ${options.modelPath} could not be loaded (${messageOf(error)}): ${fetchHint} to replace it`, { cause: error });
  }
}

/** A local generator's id: its catalog name and the start of its file's SHA-256. */
export function localGeneratorId(name: string, sha256: string): string {
  return `local:${name}:${sha256.slice(0, 8)}`;
}

class LlamaGenerator implements Generator {
  readonly id: string;
  readonly info: GeneratorInfo;
  private readonly pool: SequencePool<LlamaContextSequence>;
  /** Aborts every running generation on dispose. */
  private readonly disposing = new AbortController();
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly nodeLlamaCpp: typeof import('node-llama-cpp'),
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly options: LlamaGeneratorOptions,
  ) {
    this.id = localGeneratorId(options.name, options.sha256);
    this.info = { kind: 'local', model: options.name, contextTokens: context.contextSize, sha256: options.sha256 };
    this.pool = new SequencePool(Array.from({ length: options.sequences ?? 1 }, () => context.getSequence()));
  }

  countTokens(text: string): Promise<number> {
    return Promise.resolve(this.model.tokenize(text).length);
  }

  async *stream(messages: readonly PromptMessage[], options: GenerateOptions): AsyncIterable<string> {
    const { signal } = options;
    signal?.throwIfAborted();
    if (this.disposing.signal.aborted) throw new GeneratorError('GENERATOR_FAILED', `the local model ${this.options.name} was closed`);
    const sequence = await this.pool.acquire(AbortSignal.any([signal, this.disposing.signal].filter((s) => s !== undefined)));
    // Stops the generation: the caller's signal, a stall past the timeout, the consumer leaving early, or dispose.
    const stop = new AbortController();
    const onCallerAbort = () => stop.abort(signal?.reason);
    signal?.addEventListener('abort', onCallerAbort, { once: true });
    const onDispose = () => stop.abort(new GeneratorError('GENERATOR_FAILED', `the local model ${this.options.name} was closed while generating`));
    this.disposing.signal.addEventListener('abort', onDispose, { once: true });
    const timeout = () => new GeneratorError('GENERATOR_TIMEOUT', `the local model ${this.options.name} wrote nothing for ${this.options.timeoutMs} ms: raise GENERATOR_TIMEOUT_MS, or choose a smaller model or fewer passages`);
    let watchdog = setTimeout(() => stop.abort(timeout()), this.options.timeoutMs);
    const chat = new this.nodeLlamaCpp.LlamaChat({ contextSequence: sequence });
    let generation: Promise<unknown> | undefined;
    try {
      await sequence.clearHistory();
      const history = toChatHistory(messages);
      const promptTokens = chat.chatWrapper.generateContextState({ chatHistory: history }).contextText.tokenize(this.model.tokenizer).length;
      const room = this.context.contextSize - promptTokens;
      if (room < MIN_REPLY_TOKENS) {
        throw new GeneratorError('GENERATOR_FAILED', `the prompt takes ${promptTokens} tokens, leaving no room to reply in the ${this.context.contextSize}-token context of ${this.options.name}: give it fewer or shorter passages`);
      }
      // Pieces arrive from node-llama-cpp's callback; an object-mode stream buffers them for this generator to yield.
      const pieces = new Readable({ objectMode: true, read() {} });
      generation = chat
        .generateResponse(history, {
          temperature: 0,
          maxTokens: Math.min(options.maxTokens, room),
          signal: stop.signal,
          onTextChunk: (text) => {
            clearTimeout(watchdog);
            watchdog = setTimeout(() => stop.abort(timeout()), this.options.timeoutMs);
            if (text) pieces.push(text);
          },
        })
        .then(
          () => pieces.push(null),
          // Stopped on purpose: the reason as it is (the caller's, a timeout, dispose); otherwise the model failed.
          (error: unknown) => pieces.destroy(stop.signal.aborted ? asError(stop.signal.reason) : failed(error, this.options.name)),
        );
      this.running.add(generation);
      for await (const piece of pieces) yield piece as string;
    } finally {
      clearTimeout(watchdog);
      signal?.removeEventListener('abort', onCallerAbort);
      this.disposing.signal.removeEventListener('abort', onDispose);
      // A consumer that stops reading early ends the generation too; the sequence is handed on only once it has stopped.
      if (!stop.signal.aborted) stop.abort(new Error('the reader stopped'));
      if (generation) {
        await generation;
        this.running.delete(generation);
      }
      chat.dispose({ disposeSequence: false });
      this.pool.release(sequence);
    }
  }

  async dispose(): Promise<void> {
    if (this.disposing.signal.aborted) return;
    this.disposing.abort();
    this.pool.rejectWaiting(new GeneratorError('GENERATOR_FAILED', `the local model ${this.options.name} was closed`));
    await Promise.allSettled([...this.running]);
    await this.context.dispose();
    await this.model.dispose();
    await this.llama.dispose();
  }
}

/** The prompt's messages as node-llama-cpp's chat history, ending with the model's turn to write. */
function toChatHistory(messages: readonly PromptMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((message) => {
    if (message.role === 'system') return { type: 'system', text: message.content };
    if (message.role === 'user') return { type: 'user', text: message.content };
    return { type: 'model', response: [message.content] };
  });
  history.push({ type: 'model', response: [] });
  return history;
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

function failed(error: unknown, name: string): GeneratorError {
  return new GeneratorError('GENERATOR_FAILED', `the local model ${name} failed while generating (${messageOf(error)})`, { cause: error });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
