import type { Config } from '../config.js';
import { GeneratorError } from '../errors.js';
import type { FetchEvent } from '../models/fetch-model.js';
import { DEFAULT_GENERATOR, findGenerator } from '../models/model-catalog.js';
import type { Generator, UnavailableGenerator } from './generator.js';
import { locateConfiguredLocalGenerator, openConfiguredLocalGenerator } from './open-local-generator.js';
import { openAICompatibleGeneratorFromConfig } from './openai-compatible-generator.js';

/** Options of {@link openConfiguredGenerator}. */
export interface OpenGeneratorOptions {
  /** Generations one thread may run at once (the local model gets a sequence for each). @default 1 */
  readonly concurrent?: number;
  readonly onFetch?: (event: FetchEvent) => void;
  readonly signal?: AbortSignal;
  /**
   * Make sure a local model is fetched and describe it, without loading it: for the server's thread, which shows the
   * generator in health while the answering worker threads run it. @default false
   */
  readonly describeOnly?: boolean;
}

/**
 * The generator GENERATOR names: an OpenAI-compatible server (nothing to load; a server that is down shows on the
 * first ask), or the local GGUF model, loaded now. A local model that is missing and cannot be fetched is not fatal:
 * it is returned as unavailable, and answers quote the documents with a note saying to fetch it.
 * @throws ConfigError for settings that cannot work (an unknown GENERATOR_MODEL, openai-compatible without a URL).
 */
export async function openConfiguredGenerator(config: Config, options: OpenGeneratorOptions = {}): Promise<Generator | UnavailableGenerator> {
  if (config.generator === 'openai-compatible') return openAICompatibleGeneratorFromConfig(config);
  const fetchOptions = { ...(options.onFetch ? { onFetch: options.onFetch } : {}), ...(options.signal ? { signal: options.signal } : {}) };
  try {
    if (options.describeOnly) {
      const located = await locateConfiguredLocalGenerator(config, fetchOptions);
      return { id: located.id, info: located.info, unavailable: null };
    }
    return await openConfiguredLocalGenerator(config, { sequences: options.concurrent ?? 1, ...fetchOptions });
  } catch (error) {
    if (!GeneratorError.isInstance(error) || error.code !== 'GENERATOR_MISSING') throw error;
    const spec = findGenerator(config.generatorModel ?? DEFAULT_GENERATOR.name) ?? DEFAULT_GENERATOR;
    return { id: `local:${spec.name}`, info: { kind: 'local', model: spec.name, contextTokens: spec.contextTokens }, unavailable: error as GeneratorError };
  }
}
