import type { PromptMessage } from '../../prompts/grounded-answer-prompt.js';
import type { GeneratorError } from '../errors.js';

/** What a generator is, for health output, results and the eval. */
export interface GeneratorInfo {
  /** `local`: a GGUF model run in-process by node-llama-cpp; `openai-compatible`: a chat-completions server. */
  readonly kind: 'local' | 'openai-compatible';
  /** The model's name: a catalog name (`smollm2-135m-instruct`) or the server's model id (`llama3.2:3b`). */
  readonly model: string;
  /** How many tokens prompt and reply may take together. */
  readonly contextTokens: number;
  /** SHA-256 of the local model file. */
  readonly sha256?: string;
  /** Where an openai-compatible server is (no credentials). */
  readonly baseUrl?: string;
}

/** Options of one generation. */
export interface GenerateOptions {
  /** The most tokens the reply may take. */
  readonly maxTokens: number;
  /** Stops the generation: the stream ends by throwing the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * The generating port: a language model that writes a reply to chat messages, token by token. Two implementations:
 * a local GGUF model (`llama-generator.ts`) and any OpenAI-compatible server (`openai-compatible-generator.ts`).
 * A failure (unreachable, a stall past the timeout, an error status, a model that cannot be loaded) is thrown as a
 * {@link GeneratorError} so the answerer can fall back to the extractive answer and say why.
 */
export interface Generator {
  /** Stable identity, e.g. `local:smollm2-135m-instruct:b179c952` or `openai-compatible:llama3.2:3b@http://127.0.0.1:11434/v1`. */
  readonly id: string;
  readonly info: GeneratorInfo;
  /** How many tokens `text` takes in this model's tokenizer (a stated over-estimate where the server's tokenizer is unknown). */
  countTokens(text: string): Promise<number>;
  /** The reply to `messages`, as text pieces in the order the model writes them. */
  stream(messages: readonly PromptMessage[], options: GenerateOptions): AsyncIterable<string>;
  dispose(): Promise<void>;
}

/**
 * A generator that is not loaded here: one that could not be opened (a model not fetched), whose answers fall back
 * and say why, or (`unavailable: null`) one described only, on a thread that never answers (the server's, while
 * worker threads run the model).
 */
export interface UnavailableGenerator {
  readonly id: string;
  readonly info: GeneratorInfo;
  readonly unavailable: GeneratorError | null;
}
