/**
 * Starts the real server on 127.0.0.1 with an ephemeral port over a real index built in a temporary
 * folder (lexical mode: no model downloads in tests).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Answerer } from '../../retrieval/answer/answerer.js';
import { loadConfig, type Config, type ConfigInput } from '../../retrieval/config.js';
import { createDocumentLibrary, type DocumentLibrary } from '../../retrieval/library/document-library.js';
import { createLogger } from '../../retrieval/logger.js';
import { openPipeline } from '../../retrieval/open-pipeline.js';
import type { Pipeline } from '../../retrieval/pipeline.js';
import { createLiveIndex, type LiveIndex } from '../../retrieval/serving/live-index.js';
import { createPooledPipeline, type PooledPipeline } from '../../retrieval/workers/ask-pool.js';
import { createServer, type CreateServerOptions, type RunningServer } from '../create-server.js';

/** The seed corpus of the repository. */
export const SEEDS_DIR = fileURLToPath(new URL('../../seeds/', import.meta.url));

/** A running test server and what it was built from. */
export interface TestServer {
  readonly url: string;
  readonly wsUrl: string;
  readonly config: Config;
  readonly pipeline: Pipeline;
  /** The worker pool answering, when `pooled` was asked for (at start: a re-index replaces it). */
  readonly pool: PooledPipeline | null;
  /** The live index and the library behind uploads and deletes, when `library` was asked for. */
  readonly live: LiveIndex | null;
  readonly library: DocumentLibrary | null;
  readonly server: RunningServer;
  /** Temporary folder holding the index (and a generated corpus, if any). */
  readonly tmp: string;
  close(): Promise<void>;
}

/** Options of `startTestServer`. */
export interface TestServerOptions extends Partial<Pick<CreateServerOptions, 'heartbeatMs' | 'webRoot' | 'maxMessageBytes' | 'requestsPerMinute'>> {
  /** Corpus to index. @default the seed corpus */
  readonly corpusDir?: string;
  /** Extra files written into a fresh corpus folder next to copies of the seeds. */
  readonly extraFiles?: Readonly<Record<string, string>>;
  /** Settings on top of the test defaults (lexical mode, silent logs). */
  readonly configOverrides?: Partial<ConfigInput>;
  /** Replaces the extractive answerer (through the pipeline's own port), e.g. to force an abstention. */
  readonly answerer?: Answerer;
  /** Wraps the real pipeline, e.g. to hold asks in flight. */
  readonly wrapPipeline?: (pipeline: Pipeline) => Pipeline;
  /**
   * Answer in worker threads as `npm start` does (the answerer option cannot cross into them); a URL picks the
   * worker module (e.g. one that stalls on purpose). @default false: in-process
   */
  readonly pooled?: boolean | { readonly workerModule: URL };
  /** Port to listen on, e.g. the port of a server just closed, to restart "the same" server. @default 0: a free one */
  readonly port?: number;
  /**
   * Serve through a live index with a document library, as `npm start` does: uploads and deletes re-index the corpus
   * (a fresh copy of it in the temporary folder) and switch generations while the server answers. @default false
   */
  readonly library?: boolean;
}

/** Builds an index in a temporary folder and starts the server on it. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-server-test-'));
  let corpusDir = options.corpusDir ?? SEEDS_DIR;
  // Uploads write into the corpus: never into the repository's seeds.
  if (options.extraFiles || options.library) {
    corpusDir = path.join(tmp, 'corpus');
    await fs.cp(options.corpusDir ?? SEEDS_DIR, corpusDir, { recursive: true });
    for (const [name, text] of Object.entries(options.extraFiles ?? {})) {
      await fs.mkdir(path.dirname(path.join(corpusDir, name)), { recursive: true });
      await fs.writeFile(path.join(corpusDir, name), text);
    }
  }
  const config = loadConfig({ overrides: { corpusDir, indexDir: path.join(tmp, 'index'), disableEmbeddings: true, logLevel: 'silent', ...options.configOverrides } });
  const workerModule = typeof options.pooled === 'object' ? options.pooled.workerModule : undefined;
  const open = async (signal?: AbortSignal) => {
    const opened = await openPipeline({ config, ingest: true, answerer: options.answerer, signal });
    const pooled = options.pooled ? await createPooledPipeline({ local: opened.pipeline, config, workerModule }).catch(async (error: unknown) => {
      await opened.pipeline.close();
      throw error;
    }) : null;
    return { opened, pooled };
  };
  const { opened: first, pooled: pool } = await open();
  const real = first.pipeline;
  const live = options.library
    ? createLiveIndex({
        initial: pool ?? real,
        rebuild: async (signal) => {
          const { opened, pooled } = await open(signal);
          return { pipeline: pooled ?? opened.pipeline, ingest: opened.ingest! };
        },
      })
    : null;
  const served: Pipeline = live ?? pool ?? real;
  const library = live ? createDocumentLibrary({ live, config }) : null;
  const pipeline = options.wrapPipeline ? options.wrapPipeline(served) : served;
  const server = await createServer({
    pipeline,
    ...(library ? { library } : {}),
    config,
    logger: createLogger({ level: 'silent' }),
    port: options.port ?? 0,
    host: '127.0.0.1',
    webRoot: options.webRoot ?? false,
    heartbeatMs: options.heartbeatMs,
    maxMessageBytes: options.maxMessageBytes,
    requestsPerMinute: options.requestsPerMinute,
  });
  return {
    url: server.url,
    wsUrl: `${server.url.replace(/^http/, 'ws')}/ws`,
    config,
    pipeline,
    pool,
    live,
    library,
    server,
    tmp,
    async close() {
      await server.close();
      await library?.settled();
      await served.close();
      await fs.rm(tmp, { recursive: true, force: true });
    },
  };
}
