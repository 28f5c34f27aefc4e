/**
 * Opens the configured local generator: GENERATOR_MODEL (default smollm2-135m-instruct) looked up in the model
 * catalog, its GGUF in MODEL_DIR fetched on first use when downloads are allowed, exactly as the embedder is.
 */
import path from 'node:path';
import type { Config } from '../config.js';
import { ConfigError, GeneratorError, ModelUnavailableError } from '../errors.js';
import { ensureModelFetched } from '../models/ensure-model-fetched.js';
import type { FetchEvent } from '../models/fetch-model.js';
import { DEFAULT_GENERATOR, findGenerator, MODEL_CATALOG, type GeneratorSpec, type ModelSpec } from '../models/model-catalog.js';
import { modelFolderPath, sha256File } from '../models/model-folder.js';
import type { Generator, GeneratorInfo } from './generator.js';
import { localGeneratorId, openLlamaGenerator } from './llama-generator.js';

/** Options of `openConfiguredLocalGenerator`. */
export interface OpenLocalGeneratorOptions {
  /** CPU threads per generation. @default config.generatorThreads */
  readonly threads?: number;
  /** Generations that may run at once in this thread. @default 1 */
  readonly sequences?: number;
  /** Progress of a first-use fetch. */
  readonly onFetch?: (event: FetchEvent) => void;
  readonly signal?: AbortSignal;
  /** The models known by name. @default MODEL_CATALOG */
  readonly catalog?: readonly ModelSpec[];
}

/** The configured local model, fetched and checked, not loaded. */
export interface LocatedLocalGenerator {
  readonly spec: GeneratorSpec;
  readonly modelPath: string;
  readonly sha256: string;
  /** The generator's id, as the loaded one will have it. */
  readonly id: string;
  readonly info: GeneratorInfo;
}

/**
 * Finds the local model `config` names and makes sure its file is in MODEL_DIR, fetching it on first use when
 * downloads are allowed: what a thread that describes the generator but does not run it (the server's, while worker
 * threads answer) needs, and the first step of {@link openConfiguredLocalGenerator}.
 * @throws ConfigError when GENERATOR_MODEL names no generator in the catalog (the choices are listed).
 * @throws GeneratorError `GENERATOR_MISSING` when the model is not in MODEL_DIR and could not be fetched (downloads
 *   off, a recent failure, no source reachable); the message says to run `npm run models -- fetch NAME`.
 */
export async function locateConfiguredLocalGenerator(config: Config, options: Pick<OpenLocalGeneratorOptions, 'onFetch' | 'signal' | 'catalog'> = {}): Promise<LocatedLocalGenerator> {
  const catalog = options.catalog ?? MODEL_CATALOG;
  const name = config.generatorModel ?? DEFAULT_GENERATOR.name;
  const spec = findGenerator(name, catalog);
  if (!spec) {
    const choices = catalog.filter((s) => s.role === 'generator').map((s) => s.name);
    throw new ConfigError(`GENERATOR_MODEL ${JSON.stringify(name)} is not a local generator in the model catalog: choose one of ${choices.join(', ')} (npm run models -- list), or set GENERATOR=openai-compatible for a server's model`);
  }
  let verified;
  try {
    verified = await ensureModelFetched(spec, config, { onFetch: options.onFetch, signal: options.signal, role: 'generator' });
  } catch (error) {
    if (error instanceof ModelUnavailableError) throw new GeneratorError('GENERATOR_MISSING', error.message, { cause: error });
    throw error;
  }
  const modelPath = path.join(modelFolderPath(config.modelDir, spec.modelId), ...spec.gguf.split('/'));
  // A complete folder that matches no pin is used as it is; its identity is then its own hash.
  const sha256 = verified?.weightsSha256 ?? (await sha256File(modelPath));
  return { spec, modelPath, sha256, id: localGeneratorId(spec.name, sha256), info: { kind: 'local', model: spec.name, contextTokens: spec.contextTokens, sha256 } };
}

/**
 * The local generator `config` names, loaded and ready.
 * @throws as {@link locateConfiguredLocalGenerator}; GeneratorError `GENERATOR_MISSING` also when the file cannot be loaded.
 */
export async function openConfiguredLocalGenerator(config: Config, options: OpenLocalGeneratorOptions = {}): Promise<Generator> {
  const located = await locateConfiguredLocalGenerator(config, options);
  return openLlamaGenerator({
    modelPath: located.modelPath,
    name: located.spec.name,
    sha256: located.sha256,
    contextTokens: located.spec.contextTokens,
    timeoutMs: config.generatorTimeoutMs,
    threads: options.threads ?? config.generatorThreads,
    sequences: options.sequences,
    signal: options.signal,
  });
}
