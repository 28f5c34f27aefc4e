import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { FEEDBACK_FILE_NAME } from './feedback/feedback-log.js';
import { DEFAULT_EMBEDDER, findEmbedder } from './models/model-catalog.js';

/**
 * What an access token may be made of: it travels in a `Bearer` header and, for browsers, inside a
 * WebSocket subprotocol (`verbatim.token.<API_TOKEN>`), where spaces, commas and most punctuation are
 * not allowed. Checked when the configuration is read, so a token that could never match fails at
 * start-up instead of turning every request into a 401.
 */
export const API_TOKEN_RULE = Object.freeze({ minLength: 16, maxLength: 256, pattern: /^[\w-]+$/ });

/** What is wrong with `token` as an access token, or null when it is usable; never echoes the token. */
export function apiTokenProblem(token: string): string | null {
  const { minLength, maxLength, pattern } = API_TOKEN_RULE;
  if (token.length >= minLength && token.length <= maxLength && pattern.test(token)) return null;
  const got = token.length < minLength || token.length > maxLength ? `got ${token.length} characters` : 'got other characters (spaces, quotes, punctuation, …)';
  return `must be ${minLength}–${maxLength} characters of letters, digits, \`-\` and \`_\` (it is sent in a WebSocket subprotocol), ${got}: generate one with \`openssl rand -hex 24\``;
}

/**
 * Every tunable of Verbatim, with its default. Parsed once from the environment
 * and command-line flags into a frozen object that is passed to whoever needs it.
 */
const settingsSchema = z.object({
    /** Folder of `.txt`, `.md` and `.html` files to serve. @default "seeds" */
    corpusDir: z.string().min(1).default('seeds'),
    /** Folder the index is written to. @default "data/index" */
    indexDir: z.string().min(1).default('data/index'),
    /**
     * The server's feedback log (JSON Lines, append-only): the readers' verdicts on answers, which
     * `npm run eval -- --from-feedback` turns into candidate eval items. @default "<INDEX_DIR>/feedback.jsonl"
     */
    feedbackFile: z.string().min(1).optional(),
    /**
     * Largest the feedback log may grow; past it verdicts are refused (500 `FEEDBACK_NOT_SAVED`), so clients cannot fill
     * the disk the index lives on. @default 268435456 (256 MiB)
     */
    feedbackMaxBytes: z.number().int().min(1024).max(2 ** 44).default(256 * 1024 * 1024),
    /**
     * Embedding model: a name or id from the model catalog (`npm run models -- list`), fetched from its pinned sources,
     * or any transformers.js feature-extraction model id on the hub (downloaded by transformers.js, unpinned).
     * @default "Xenova/all-MiniLM-L6-v2" (all-MiniLM-L6-v2, int8)
     */
    modelId: z.string().min(1).default(DEFAULT_EMBEDDER.modelId),
    /** Where models are cached and looked up (transformers.js `env.cacheDir` / `localModelPath`). @default "models" */
    modelDir: z.string().min(1).default('models'),
    /** Fetch a missing model on first use (a catalog model from its pinned sources, any other from the hub). @default true */
    allowRemoteModels: z.boolean().default(true),
    /**
     * Minutes a failed first-use fetch is remembered (in MODEL_DIR), so an offline machine does not retry it on every
     * start; `npm run models -- fetch` always tries. @default 60
     */
    modelFetchRetryMinutes: z.number().min(0).max(100_000).default(60),
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
    /**
     * Who writes the answer: `extractive` quotes the documents' own sentences and needs no model; `generative` has a
     * language model (GENERATOR) write it from the retrieved passages, then checks every sentence against its cited
     * source, and falls back to the extractive answer when the model is missing, unreachable, too slow or fails.
     * @default "extractive", or "generative" when GENERATOR_BASE_URL is set
     */
    answerer: z.enum(['extractive', 'generative']).default('extractive'),
    /**
     * The generative answerer's model: `local` runs a GGUF model from MODEL_DIR in-process; `openai-compatible` calls
     * GENERATOR_BASE_URL. @default "local", or "openai-compatible" when GENERATOR_BASE_URL is set
     */
    generator: z.enum(['local', 'openai-compatible']).default('local'),
    /**
     * The generator's model: for `local` a generator name from the model catalog (`npm run models -- list`); for
     * `openai-compatible` the model id the server knows (`llama3.2:3b` in Ollama, `gpt-4o-mini` at OpenAI).
     * @default "smollm2-135m-instruct" for local; required for openai-compatible
     */
    generatorModel: z.string().min(1).optional(),
    /** Base URL of an OpenAI-compatible chat-completions server, e.g. `http://127.0.0.1:11434/v1` (Ollama). @default undefined */
    generatorBaseUrl: z.string().url().optional(),
    /** API key sent to GENERATOR_BASE_URL as a bearer token; local servers usually need none. @default undefined */
    generatorApiKey: z.string().min(1).optional(),
    /**
     * Longest a generated answer may take, waiting for the first token included; a stalled model is stopped at it too.
     * Past it, the sentences verified so far are kept, or the extractive answer is given with a note. A generative
     * ask may take ASK_DEADLINE_MS plus this on the server. @default 30000
     */
    generatorTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    /**
     * Passages given to the generator at most, best first, as many as fit its context: each costs prompt time before the
     * first token (about 250 tokens at the default chunk size). With SmolLM2 on an idle 2-core machine, 2, 3 and 4
     * passages gave a first token after 3.2, 4.8 and 6.1 s, and 3 the most verified sentences. @default 3
     */
    generatorPassages: z.number().int().min(1).max(50).default(3),
    /**
     * Sentences of each passage the generator is given: the one that shares the most of the question's words and its
     * neighbours, a shorter prompt read sooner; 0 gives whole passages. On 25 seed questions with SmolLM2, 2 sentences
     * brought the first token from 4.6 to 3.0 s but verified 22% of sentences instead of 32% and invented three times
     * as many facts, so whole passages stay the default. @default 0
     */
    generatorPassageSentences: z.number().int().min(0).max(50).default(0),
    /**
     * CPU threads a local generator uses per answer. All cores read a prompt about twice as fast as one on an idle
     * 2-core machine (601 tokens: 3.6 s against 7.1 s); on a machine busy with other work one thread can be faster.
     * @default os.availableParallelism()
     */
    generatorThreads: z.number().int().min(1).max(256).default(() => Math.max(1, availableParallelism())),
    /** Tokens the generator may write per answer. @default 320 */
    generatorMaxTokens: z.number().int().min(16).max(8192).default(320),
    /**
     * Context window of an openai-compatible model (prompt and reply), which the server does not report; a local
     * model's comes from its catalog entry. @default 8192
     */
    generatorContextTokens: z.number().int().min(512).max(2_000_000).default(8192),
    /** The extractive answerer's fitted weights (gate, short-answer choice and confidence), written by `npm run fit`. @default retrieval/answer/answer-weights.json */
    answerWeightsFile: z.string().min(1).optional(),
    /**
     * Confidence at which a short answer is shown as the answer (`shortAnswerConfident`); lower shows more short answers
     * and more wrong ones. @default the fitted threshold in the weights file (0.8: 0.87 precision on the training data)
     */
    shortAnswerThreshold: z.number().min(0).max(1).optional(),
    /**
     * Texts embedded per model call; each call pads to its longest text, so small batches waste less. With the default
     * model on 2 cores, 8 gave 15.5 chunks/s against 12.2 at 32 and 11.4 at 64 (bench/RESULTS.md). @default 8
     */
    embedBatchSize: z.number().int().min(1).max(1024).default(8),
    /**
     * Worker threads that embed chunks at ingest (`npm run ingest`), each with its own model session at one ONNX
     * Runtime thread, taking a batch each at a time; 1 embeds on the ingest's own thread, one session using ONNX
     * Runtime's default threads (one per core). Measured against each other in bench/RESULTS.md ("Embedding at ingest:
     * batching by length and cores"). @default os.availableParallelism() (one per core)
     */
    embedWorkers: z.number().int().min(1).max(64).default(() => Math.max(1, availableParallelism())),
    /**
     * Vectors kept by text while serving, so a question embedded for search is not embedded again by the answerer,
     * and corpus sentences re-ranked for one question are not re-embedded for the next (about 1.5 KB each for the
     * default model); 0 turns it off. @default 8192
     */
    embedCacheEntries: z.number().int().min(0).max(10_000_000).default(8192),
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
    /** Access token required on every request when bound beyond loopback; see `API_TOKEN_RULE`. @default undefined */
    apiToken: z
        .string()
        .superRefine((token, ctx) => {
            const problem = apiTokenProblem(token);
            if (problem) ctx.addIssue({ code: 'custom', message: problem });
        })
        .optional(),
    /**
     * Failed authentications (wrong or missing token, HTTP or WebSocket) per client address per minute;
     * past it the address gets 429 without its token being checked, so a token cannot be guessed at
     * request speed. @default 10
     */
    authFailuresPerMinute: z.number().int().min(1).max(1_000_000).default(10),
    /**
     * API requests and WebSocket asks (and refused WebSocket frames) per client address per minute, one
     * budget for both, before a 429 or a `RATE_LIMITED` error frame (answers are CPU work). Raise it for
     * load tests from one address, or for a trusted proxy that speaks for many users. @default 300
     */
    rateLimitPerMinute: z.number().int().min(1).max(1_000_000).default(300),
    /**
     * Worker threads that answer asks and searches for the server, so no question, however costly, holds up the
     * event loop that serves everyone else. @default os.availableParallelism() (one per core)
     */
    askWorkers: z.number().int().min(1).max(64).default(() => Math.max(1, availableParallelism())),
    /**
     * Each answering worker asks its index a few questions of its own once it is ready, between real tasks, so the
     * first real questions do not pay for V8 compiling the answering code (retrieval/workers/warm-up.ts). @default true
     */
    askWarmUp: z.boolean().default(true),
    /**
     * Longest an ask or search may take on the server, queueing included; past it the work is stopped (its worker
     * is replaced) and the client gets `ANSWER_TIMEOUT`. @default 5000
     */
    askDeadlineMs: z.number().int().min(100).max(600_000).default(5000),
    /** Asks waiting for a free worker before new ones get `SERVER_BUSY` (503). @default 256 */
    askQueueLimit: z.number().int().min(1).max(100_000).default(256),
    /**
     * WebSocket connections open at once over all clients; past it an upgrade gets 503 `SERVER_BUSY`.
     * Each socket holds buffers and a heartbeat, so the count must not grow with what clients want. @default 1000
     */
    wsMaxConnections: z.number().int().min(1).max(1_000_000).default(1000),
    /**
     * WebSocket connections open at once from one client address; past it an upgrade gets 429
     * `TOO_MANY_CONNECTIONS`. 64 leaves room for the load tool's 50 clients on 127.0.0.1; one socket
     * carries several asks, so a single user needs one. @default 64
     */
    wsMaxConnectionsPerClient: z.number().int().min(1).max(1_000_000).default(64),
    /**
     * Bytes written to all WebSockets together and not yet taken by their clients. Past it, the socket
     * holding the most is dropped, so that many clients that stop reading cannot grow the server's
     * memory without bound. @default 67108864 (64 MiB)
     */
    wsMaxBufferedBytes: z.number().int().min(64 * 1024).max(2 ** 40).default(64 * 1024 * 1024),
    /**
     * Frames one WebSocket may have refused per minute (bad JSON or shape, oversize, duplicate id, too
     * many asks, rate limited) before the server closes it with 1008: each refusal costs an error frame,
     * and a client that sends nothing but garbage is not going to start listening. @default 100
     */
    wsMaxBadFramesPerMinute: z.number().int().min(1).max(1_000_000).default(100),
    /**
     * The OpenAI-compatible endpoint (`/v1/chat/completions`) appends a plain "Sources" list (number, document
     * title, quote) to each answer's content, for clients that show the content alone and drop the `citations`
     * field. A request's own `verbatim.append_sources` overrides it. @default false
     */
    openaiAppendSources: z.boolean().default(false),
    /**
     * `POST /api/documents` and `DELETE /api/documents/:id` (the page's library panel) may change the corpus. Unset, they
     * are on when the server is bound to loopback (one user, on their own machine) and off otherwise: a server other
     * people reach lets them change what it answers from only when this says so. @default undefined (on for loopback)
     */
    allowUploads: z.boolean().optional(),
    /**
     * Where uploaded files are stored: a folder inside CORPUS_DIR, so an upload is a corpus document like any other
     * (re-indexed at the next start too). @default "<CORPUS_DIR>/uploads"
     */
    uploadsDir: z.string().min(1).optional(),
    /**
     * `DELETE /api/documents/:id` may delete a document of the corpus folder itself from disk, not only an upload.
     * @default false
     */
    allowCorpusDelete: z.boolean().default(false),
    /** Largest file one upload may hold; at most the corpus loader's own 20 MiB per file. @default 10485760 (10 MiB) */
    uploadMaxFileBytes: z.number().int().min(1).max(20 * 1024 * 1024).default(10 * 1024 * 1024),
    /** Files one `POST /api/documents` may carry. @default 10 */
    uploadMaxFiles: z.number().int().min(1).max(1000).default(10),
    /** Bytes of files one `POST /api/documents` may carry together (they are held in memory until stored). @default 26214400 (25 MiB) */
    uploadMaxRequestBytes: z.number().int().min(1).max(1024 * 1024 * 1024).default(25 * 1024 * 1024),
    /** pino log level. @default "info" */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** The settings with their cross-field rules. */
export const configSchema = settingsSchema
  .refine((c) => c.chunkOverlap < c.chunkSize, { message: 'chunkOverlap must be smaller than chunkSize', path: ['chunkOverlap'] })
  .refine((c) => c.answerer !== 'generative' || c.generator !== 'openai-compatible' || (c.generatorBaseUrl !== undefined && c.generatorModel !== undefined), {
    message: 'GENERATOR=openai-compatible needs GENERATOR_BASE_URL (e.g. http://127.0.0.1:11434/v1 for Ollama) and GENERATOR_MODEL (the model id the server knows)',
    path: ['generatorBaseUrl'],
  });

/** The parsed, frozen configuration; `loadConfig` always resolves `feedbackFile` (beside the index by default). */
export type Config = Readonly<Omit<z.infer<typeof configSchema>, 'feedbackFile'> & { feedbackFile: string }>;
/** Raw values before defaults and validation. */
export type ConfigInput = z.input<typeof configSchema>;

/** Environment variable for each setting; the README's configuration table mirrors this. */
export const ENV_NAMES: Readonly<Record<keyof ConfigInput, string>> = {
  corpusDir: 'CORPUS_DIR',
  indexDir: 'INDEX_DIR',
  feedbackFile: 'FEEDBACK_FILE',
  feedbackMaxBytes: 'FEEDBACK_MAX_BYTES',
  modelId: 'EMBEDDING_MODEL',
  modelDir: 'MODEL_DIR',
  allowRemoteModels: 'ALLOW_REMOTE_MODELS',
  modelFetchRetryMinutes: 'MODEL_FETCH_RETRY_MINUTES',
  remoteHost: 'MODEL_REMOTE_HOST',
  disableEmbeddings: 'DISABLE_EMBEDDINGS',
  requireEmbeddings: 'REQUIRE_EMBEDDINGS',
  readerModelId: 'READER_MODEL',
  answerWeightsFile: 'ANSWER_WEIGHTS',
  answerer: 'ANSWERER',
  generator: 'GENERATOR',
  generatorModel: 'GENERATOR_MODEL',
  generatorBaseUrl: 'GENERATOR_BASE_URL',
  generatorApiKey: 'GENERATOR_API_KEY',
  generatorTimeoutMs: 'GENERATOR_TIMEOUT_MS',
  generatorMaxTokens: 'GENERATOR_MAX_TOKENS',
  generatorPassages: 'GENERATOR_PASSAGES',
  generatorPassageSentences: 'GENERATOR_PASSAGE_SENTENCES',
  generatorThreads: 'GENERATOR_THREADS',
  generatorContextTokens: 'GENERATOR_CONTEXT_TOKENS',
  shortAnswerThreshold: 'SHORT_ANSWER_THRESHOLD',
  embedBatchSize: 'EMBED_BATCH_SIZE',
  embedWorkers: 'EMBED_WORKERS',
  embedCacheEntries: 'EMBED_CACHE_ENTRIES',
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
  askWorkers: 'ASK_WORKERS',
  askWarmUp: 'ASK_WARM_UP',
  askDeadlineMs: 'ASK_DEADLINE_MS',
  askQueueLimit: 'ASK_QUEUE_LIMIT',
  authFailuresPerMinute: 'AUTH_FAILURES_PER_MINUTE',
  wsMaxConnections: 'WS_MAX_CONNECTIONS',
  wsMaxConnectionsPerClient: 'WS_MAX_CONNECTIONS_PER_CLIENT',
  wsMaxBufferedBytes: 'WS_MAX_BUFFERED_BYTES',
  wsMaxBadFramesPerMinute: 'WS_MAX_BAD_FRAMES_PER_MINUTE',
  openaiAppendSources: 'OPENAI_APPEND_SOURCES',
  allowUploads: 'ALLOW_UPLOADS',
  uploadsDir: 'UPLOADS_DIR',
  allowCorpusDelete: 'ALLOW_CORPUS_DELETE',
  uploadMaxFileBytes: 'UPLOAD_MAX_FILE_BYTES',
  uploadMaxFiles: 'UPLOAD_MAX_FILES',
  uploadMaxRequestBytes: 'UPLOAD_MAX_REQUEST_BYTES',
  logLevel: 'LOG_LEVEL',
};

const DEFAULTS: Record<string, unknown> = settingsSchema.parse({});

/** Optional numeric settings with no default, whose type the default cannot tell. */
const OPTIONAL_NUMBERS: ReadonlySet<keyof ConfigInput> = new Set(['shortAnswerThreshold']);
/** Optional yes/no settings with no default (unset means "decide from the rest"). */
const OPTIONAL_BOOLEANS: ReadonlySet<keyof ConfigInput> = new Set(['allowUploads']);

/** Environment values are strings: read them as the type the setting's default has. */
function fromEnvString(key: keyof ConfigInput, raw: string): unknown {
  switch (OPTIONAL_NUMBERS.has(key) ? 'number' : OPTIONAL_BOOLEANS.has(key) ? 'boolean' : typeof DEFAULTS[key]) {
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
  // A server's address says what is wanted: GENERATOR_BASE_URL and GENERATOR_MODEL are the two settings for Ollama.
  if (raw.generatorBaseUrl !== undefined) {
    raw.generator ??= 'openai-compatible';
    raw.answerer ??= 'generative';
  }
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
  const corpusDir = path.resolve(cwd, config.corpusDir);
  const uploadsDir = config.uploadsDir === undefined ? path.join(corpusDir, 'uploads') : path.resolve(cwd, config.uploadsDir);
  const inCorpus = path.relative(corpusDir, uploadsDir);
  if (inCorpus === '' || inCorpus.startsWith('..') || path.isAbsolute(inCorpus) || inCorpus.split(path.sep).some((part) => part.startsWith('.'))) {
    throw new ConfigError(
      `invalid configuration: uploadsDir (UPLOADS_DIR): ${uploadsDir} must be a folder inside the corpus folder ${corpusDir} (and not a hidden one, which the corpus loader skips), so uploads are indexed like the rest of the corpus`,
    );
  }
  return Object.freeze({
    ...config,
    uploadsDir,
    // A catalog name (`paraphrase-MiniLM-L3-v2`) means its model id, so the index records one spelling.
    modelId: findEmbedder(config.modelId)?.modelId ?? config.modelId,
    corpusDir,
    indexDir: path.resolve(cwd, config.indexDir),
    feedbackFile: path.resolve(cwd, config.feedbackFile ?? path.join(config.indexDir, FEEDBACK_FILE_NAME)),
    ...(config.answerWeightsFile !== undefined ? { answerWeightsFile: path.resolve(cwd, config.answerWeightsFile) } : {}),
    modelDir: path.resolve(cwd, config.modelDir),
  });
}
