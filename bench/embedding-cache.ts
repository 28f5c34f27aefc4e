/**
 * Embeddings of a fixed list of texts, kept on disk under `data/bench-cache/` (gitignored) so that a rerun of the
 * benchmark does not embed 100,000 texts again. A cache entry is named by a hash of the embedder's id (model, dtype,
 * pooling, ONNX hash) and every text, so a different model or text list never reads stale vectors. Vectors are written
 * in shards as they are made: an interrupted run resumes at the first missing shard.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Embedder } from '../retrieval/embed/embedder.js';
import { ROOT } from './corpora.js';
import { stopwatch } from './stats.js';

/** Where benchmark caches live (inside the gitignored `data/`). */
export const BENCH_CACHE_DIR = path.join(ROOT, 'data', 'bench-cache');

/** Options of {@link cachedEmbeddings}. */
export interface CachedEmbeddingsOptions {
  readonly embedder: Embedder;
  readonly texts: readonly string[];
  /** Readable prefix of the cache folder's name, e.g. `xquad-windows`. */
  readonly name: string;
  /** @default BENCH_CACHE_DIR */
  readonly cacheDir?: string;
  /** Texts per shard file. @default 4096 */
  readonly shardSize?: number;
  readonly log?: (message: string) => void;
}

/** The vectors, row i for text i, and where they came from. */
export interface CachedEmbeddings {
  readonly vectors: Float32Array;
  readonly dimension: number;
  /** The cache folder. */
  readonly dir: string;
  /** Shards embedded by this call (0: everything came from the cache). */
  readonly shardsEmbedded: number;
  /** Milliseconds spent embedding, summed over every run that wrote a shard of this entry. */
  readonly embedMs: number;
}

interface CacheMeta {
  readonly embedderId: string;
  readonly dimension: number;
  readonly count: number;
  readonly shardSize: number;
  /** Embedding time of each finished shard, milliseconds; shard i exists when entry i does. */
  readonly shardMs: number[];
}

/** Reads the cached vectors of `texts`, embedding (and writing) only the shards that are missing. */
export async function cachedEmbeddings(options: CachedEmbeddingsOptions): Promise<CachedEmbeddings> {
  const { embedder, texts } = options;
  const shardSize = options.shardSize ?? 4096;
  const log = options.log ?? (() => {});
  const hash = createHash('sha256').update(`${embedder.id}\n${shardSize}\n`);
  for (const text of texts) hash.update(`${text.length}:${text}`);
  const dir = path.join(options.cacheDir ?? BENCH_CACHE_DIR, `${options.name}-${hash.digest('hex').slice(0, 16)}`);
  await fs.mkdir(dir, { recursive: true });
  const metaFile = path.join(dir, 'meta.json');
  const dimension = embedder.dimension;
  const meta: CacheMeta = (await readMeta(metaFile)) ?? { embedderId: embedder.id, dimension, count: texts.length, shardSize, shardMs: [] };
  const shards = Math.ceil(texts.length / shardSize);
  const vectors = new Float32Array(texts.length * dimension);
  const shardFile = (i: number) => path.join(dir, `shard-${String(i).padStart(5, '0')}.f32`);
  let embedded = 0;
  const started = stopwatch();
  for (let shard = 0; shard < shards; shard++) {
    const from = shard * shardSize;
    const rows = texts.slice(from, from + shardSize);
    if (meta.shardMs[shard] !== undefined) {
      const bytes = await fs.readFile(shardFile(shard));
      if (bytes.byteLength !== rows.length * dimension * 4) throw new Error(`${shardFile(shard)} has ${bytes.byteLength} bytes, expected ${rows.length * dimension * 4}: delete ${dir}`);
      vectors.set(new Float32Array(bytes.buffer, bytes.byteOffset, rows.length * dimension), from * dimension);
      continue;
    }
    const elapsed = stopwatch();
    const out = await embedder.embed(rows);
    out.forEach((row, i) => vectors.set(row, (from + i) * dimension));
    const ms = elapsed();
    const file = shardFile(shard);
    await fs.writeFile(`${file}.tmp`, vectors.subarray(from * dimension, (from + rows.length) * dimension));
    await fs.rename(`${file}.tmp`, file);
    meta.shardMs[shard] = ms;
    await fs.writeFile(`${metaFile}.tmp`, JSON.stringify(meta));
    await fs.rename(`${metaFile}.tmp`, metaFile);
    embedded++;
    const done = from + rows.length;
    const rate = (rows.length / ms) * 1000;
    log(`  embedded ${done.toLocaleString('en-US')}/${texts.length.toLocaleString('en-US')} (${rate.toFixed(0)} texts/s, ${((started() / 1000) | 0)} s so far)`);
  }
  return { vectors, dimension, dir, shardsEmbedded: embedded, embedMs: meta.shardMs.reduce((a, b) => a + b, 0) };
}

async function readMeta(file: string): Promise<CacheMeta | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as CacheMeta;
  } catch {
    return null;
  }
}
