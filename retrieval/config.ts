import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * Every tunable of Verbatim, with its default. Parsed once from the environment
 * and command-line flags into a frozen object that is passed to whoever needs it.
 */
const settingsSchema = z.object({
    /** Folder of `.txt`, `.md` and `.html` files to serve. @default "seeds" */
    corpusDir: z.string().min(1).default('seeds'),
    /** Folder the index is written to. @default "data/index" */
    indexDir: z.string().min(1).default('data/index'),
    /** transformers.js feature-extraction model. @default "Xenova/all-MiniLM-L6-v2" */
    modelId: z.string().min(1).default('Xenova/all-MiniLM-L6-v2'),
    /** Where models are cached and looked up (transformers.js `env.cacheDir` / `localModelPath`). @default "models" */
    modelDir: z.string().min(1).default('models'),
    /** Let transformers.js download a missing model from the hub. @default true */
    allowRemoteModels: z.boolean().default(true),
    /** Override the model hub address (a mirror). @default undefined (huggingface.co) */
    remoteHost: z.string().url().optional(),
    /** Turn the embedding model off entirely and use BM25 alone. @default false */
    disableEmbeddings: z.boolean().default(false),
    /** Fail instead of falling back to BM25 when the model cannot be loaded. @default false */
    requireEmbeddings: z.boolean().default(false),
    /**
     * transformers.js question-answering model (SQuAD-style, e.g. `Xenova/distilbert-base-cased-distilled-squad`) that
     * picks the short answer inside the quoted sentences. Found and downloaded like the embedding model. @default undefined (off)
     */
    readerModelId: z.string().min(1).optional(),
    /** Texts embedded per model call. @default 32 */
    embedBatchSize: z.number().int().min(1).max(1024).default(32),
    /** Target chunk length in characters (~100–300 words). @default 1000 */
    chunkSize: z.number().int().min(50).max(20000).default(1000),
    /** Characters shared by neighbouring chunks. @default 200 */
    chunkOverlap: z.number().int().min(0).default(200),
    /** HNSW graph degree. @default 16 */
    hnswM: z.number().int().min(2).max(128).default(16),
    /** HNSW build-time candidate list size. @default 200 */
    hnswEfConstruction: z.number().int().min(8).max(2000).default(200),
    /**
     * HNSW search-time candidate list size; hnswlib's own default of 10 loses recall. 256 keeps recall@10 at 0.99
     * on 100k vectors (128 gives 0.96) for about 1.5 ms a query (bench/RESULTS.md). @default 256
     */
    hnswEf: z.number().int().min(8).max(4000).default(256),
    /** Candidates each signal (BM25, vectors) contributes before fusion. @default 40 */
    candidatesPerSignal: z.number().int().min(1).max(1000).default(40),
    /** Passages returned to the answerer and the user. @default 8 */
    topK: z.number().int().min(1).max(100).default(8),
    /** Reciprocal rank fusion constant. @default 60 */
    rrfK: z.number().min(1).default(60),
    /** HTTP port; 0 picks a free one. @default 3000 */
    port: z.number().int().min(0).max(65535).default(3000),
    /** Address to bind; anything but loopback needs `apiToken`. @default "127.0.0.1" */
    host: z.string().min(1).default('127.0.0.1'),
    /** Access token required on every request when bound beyond loopback. @default undefined */
    apiToken: z.string().min(16).optional(),
    /**
     * API requests per client address per minute before a 429 (answers are CPU work). Raise it for
     * load tests from one address, or for a trusted proxy that speaks for many users. @default 300
     */
    rateLimitPerMinute: z.number().int().min(1).max(1_000_000).default(300),
    /** pino log level. @default "info" */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** The settings with their cross-field rules. */
export const configSchema = settingsSchema.refine((c) => c.chunkOverlap < c.chunkSize, { message: 'chunkOverlap must be smaller than chunkSize', path: ['chunkOverlap'] });

/** The parsed, frozen configuration. */
export type Config = Readonly<z.infer<typeof configSchema>>;
/** Raw values before defaults and validation. */
export type ConfigInput = z.input<typeof configSchema>;

/** Environment variable for each setting; the README's configuration table mirrors this. */
export const ENV_NAMES: Readonly<Record<keyof ConfigInput, string>> = {
  corpusDir: 'CORPUS_DIR',
  indexDir: 'INDEX_DIR',
  modelId: 'EMBEDDING_MODEL',
  modelDir: 'MODEL_DIR',
  allowRemoteModels: 'ALLOW_REMOTE_MODELS',
  remoteHost: 'MODEL_REMOTE_HOST',
  disableEmbeddings: 'DISABLE_EMBEDDINGS',
  requireEmbeddings: 'REQUIRE_EMBEDDINGS',
  readerModelId: 'READER_MODEL',
  embedBatchSize: 'EMBED_BATCH_SIZE',
  chunkSize: 'CHUNK_SIZE',
  chunkOverlap: 'CHUNK_OVERLAP',
  hnswM: 'HNSW_M',
  hnswEfConstruction: 'HNSW_EF_CONSTRUCTION',
  hnswEf: 'HNSW_EF',
  candidatesPerSignal: 'CANDIDATES_PER_SIGNAL',
  topK: 'TOP_K',
  rrfK: 'RRF_K',
  port: 'PORT',
  host: 'HOST',
  apiToken: 'API_TOKEN',
  rateLimitPerMinute: 'RATE_LIMIT_PER_MINUTE',
  logLevel: 'LOG_LEVEL',
};

const DEFAULTS: Record<string, unknown> = settingsSchema.parse({});

/** Environment values are strings: read them as the type the setting's default has. */
function fromEnvString(key: keyof ConfigInput, raw: string): unknown {
  switch (typeof DEFAULTS[key]) {
    case 'boolean':
      if (/^(?:1|true|yes|on)$/i.test(raw)) return true;
      if (/^(?:0|false|no|off)$/i.test(raw)) return false;
      return raw;
    case 'number':
      return /^\s*-?\d+(?:\.\d+)?\s*$/.test(raw) ? Number(raw) : raw;
    default:
      return raw;
  }
}

/**
 * Builds the configuration: defaults, overridden by environment variables, overridden by `overrides`
 * (already-typed flag values). Relative folders resolve against `cwd`.
 * @throws ConfigError naming the setting, its variable and what is wrong.
 */
export function loadConfig(options: { env?: NodeJS.ProcessEnv; overrides?: Partial<ConfigInput>; cwd?: string } = {}): Config {
  const env = options.env ?? {};
  const raw: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_NAMES) as [keyof ConfigInput, string][]) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[key] = fromEnvString(key, value);
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) if (value !== undefined) raw[key] = value;
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      const envName = ENV_NAMES[key as keyof ConfigInput];
      return `${key}${envName ? ` (${envName})` : ''}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const cwd = options.cwd ?? process.cwd();
  const config = parsed.data;
  return Object.freeze({
    ...config,
    corpusDir: path.resolve(cwd, config.corpusDir),
    indexDir: path.resolve(cwd, config.indexDir),
    modelDir: path.resolve(cwd, config.modelDir),
  });
}
