/**
 * A complete persisted index of N synthetic chunks, in exactly the layout `ingestCorpus` writes (generation folder,
 * manifest, document store with chunks and cached vectors, BM25, HNSW files), so `openPipeline` can be timed on 100k chunks
 * without embedding 80 MB of text. Documents hold 100 chunks of 1,000 characters every 800 characters (the default
 * chunk size and overlap), of Zipf-distributed pseudo-words.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Embedder } from '../retrieval/embed/embedder.js';
import { DocumentStore } from '../retrieval/index/document-store.js';
import { saveIndex } from '../retrieval/index/index-files.js';
import { LexicalIndex } from '../retrieval/index/lexical-index.js';
import { INDEX_FORMAT_VERSION, type ManifestDraft } from '../retrieval/index/manifest.js';
import { TERM_ANALYSIS_VERSION } from '../retrieval/text/term-analysis.js';
import type { Chunk, SourceDocument } from '../retrieval/types.js';
import { seededRandom } from '../retrieval/__fixtures__/seeded-random.js';
import { normalizeRows } from './synthetic-vectors.js';
import { stopwatch } from './stats.js';

/** The model id the synthetic index claims; the configuration must name the same one to open it. */
export const SYNTHETIC_MODEL_ID = 'bench/synthetic';
/** Chunks per synthetic document. */
export const CHUNKS_PER_DOCUMENT = 100;
const CHUNK_LENGTH = 1000;
const CHUNK_STEP = 800;

/** The embedder id recorded in the synthetic index's manifest. */
export const syntheticEmbedderId = (dimension: number): string => `bench:synthetic-${dimension}`;

/** Where chunk `i` of a synthetic index lies: document `i / 100`, characters `800 j .. 800 j + 1000`. */
export function syntheticChunkSpan(i: number): { docId: string; start: number; end: number; id: string } {
  const docId = `doc-${String(Math.floor(i / CHUNKS_PER_DOCUMENT)).padStart(5, '0')}.txt`;
  const start = (i % CHUNKS_PER_DOCUMENT) * CHUNK_STEP;
  const end = start + CHUNK_LENGTH;
  return { docId, start, end, id: `${docId}#${start}-${end}` };
}

/** Chunk ids of a synthetic index of `count` chunks, in row order: the ids its vector index must be built with. */
export function syntheticChunkIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => syntheticChunkSpan(i).id);
}

/**
 * A stand-in for the model that built a synthetic index: same id and dimension, vectors hashed from the words of the
 * text. Retrieval quality is meaningless; the point is timing the load and the query path.
 */
export function syntheticEmbedder(dimension: number): Embedder {
  return {
    id: syntheticEmbedderId(dimension),
    dimension,
    embed: async (texts) =>
      texts.map((text) => {
        const row = new Float32Array(dimension);
        for (const word of text.toLowerCase().split(/\W+/)) {
          if (!word) continue;
          const hash = createHash('sha1').update(word).digest();
          for (let k = 0; k < 8; k++) row[hash.readUInt16LE(k * 2) % dimension]! += hash[16 + (k % 4)]! & 1 ? 1 : -1;
        }
        if (row.every((x) => x === 0)) row[0] = 1;
        normalizeRows(row, dimension);
        return Array.from(row);
      }),
    dispose: async () => {},
  };
}

/** Options of {@link writeSyntheticIndex}. */
export interface SyntheticIndexOptions {
  readonly indexDir: string;
  /** Chunks; row i of `vectors` belongs to chunk i. */
  readonly count: number;
  readonly dimension: number;
  readonly vectors: Float32Array;
  /** A saved `VectorIndex` built over `vectors` with `syntheticChunkIds(count)`; copied into the generation. */
  readonly hnswDir: string;
  readonly M: number;
  readonly efConstruction: number;
}

/** What writing the synthetic index cost, and its size on disk. */
export interface SyntheticIndexReport {
  readonly documents: number;
  readonly textChars: number;
  readonly lexicalBuildMs: number;
  readonly writeMs: number;
  /** Bytes per file of the generation, by name relative to it. */
  readonly fileBytes: Readonly<Record<string, number>>;
}

function pseudoWords(random: () => number, size: number): string[] {
  const consonants = 'bcdfghjklmnprstvwz';
  const vowels = 'aeiou';
  return Array.from({ length: size }, () => {
    let word = '';
    const syllables = 1 + Math.floor(random() * 3);
    for (let s = 0; s < syllables; s++) word += consonants[Math.floor(random() * consonants.length)]! + vowels[Math.floor(random() * vowels.length)]!;
    return word;
  });
}

/** Writes a full index generation of `count` synthetic chunks into `indexDir`. */
export async function writeSyntheticIndex(options: SyntheticIndexOptions): Promise<SyntheticIndexReport> {
  const { count, dimension } = options;
  const random = seededRandom(7);
  const vocabulary = pseudoWords(random, 20_000);
  const documentCount = Math.ceil(count / CHUNKS_PER_DOCUMENT);
  const documents: SourceDocument[] = [];
  const chunks: Chunk[] = [];
  const chunkCounts: number[] = [];
  let textChars = 0;
  for (let d = 0; d < documentCount; d++) {
    const chunksHere = Math.min(CHUNKS_PER_DOCUMENT, count - d * CHUNKS_PER_DOCUMENT);
    const length = (chunksHere - 1) * CHUNK_STEP + CHUNK_LENGTH;
    const words: string[] = [];
    let chars = 0;
    while (chars <= length) {
      // Zipf-like: a few words are very common, most are rare, as in prose.
      const word = vocabulary[Math.floor(vocabulary.length * random() ** 3)]!;
      words.push(word);
      chars += word.length + 1;
    }
    const text = words.join(' ').slice(0, length);
    const id = syntheticChunkSpan(d * CHUNKS_PER_DOCUMENT).docId;
    documents.push({ id, title: `Synthetic document ${d}`, text, hash: createHash('sha256').update(text).digest('hex') });
    for (let j = 0; j < chunksHere; j++) {
      const span = syntheticChunkSpan(d * CHUNKS_PER_DOCUMENT + j);
      chunks.push({ ...span, text: text.slice(span.start, span.end), heading: null });
    }
    chunkCounts.push(chunksHere);
    textChars += text.length;
  }
  const lexicalTimer = stopwatch();
  const lexical = await LexicalIndex.build(chunks);
  const lexicalBuildMs = lexicalTimer();

  const manifest: ManifestDraft = {
    formatVersion: INDEX_FORMAT_VERSION,
    builtAt: new Date().toISOString(),
    embedder: { id: syntheticEmbedderId(dimension), modelId: SYNTHETIC_MODEL_ID, dimension },
    lexicalReason: null,
    chunking: { chunkSize: CHUNK_LENGTH, chunkOverlap: CHUNK_LENGTH - CHUNK_STEP },
    hnsw: { M: options.M, efConstruction: options.efConstruction },
    documents: documents.map((doc, d) => ({ id: doc.id, title: doc.title, hash: doc.hash, length: doc.text.length, chunks: chunkCounts[d]! })),
    chunkCount: chunks.length,
    termAnalysis: TERM_ANALYSIS_VERSION,
  };
  const writeTimer = stopwatch();
  await fs.rm(options.indexDir, { recursive: true, force: true });
  let row = 0;
  const rows = documents.map((document, d) => {
    const stored = Array.from({ length: chunkCounts[d]! }, () => ({ row, chunk: chunks[row++]! }));
    return { document, chunks: stored, vectors: stored.map(({ row: r }) => options.vectors.subarray(r * dimension, (r + 1) * dimension)) };
  });
  const { generationDir: generation } = await saveIndex(options.indexDir, manifest, [
    { bytesAtLeast: 0, write: (files) => DocumentStore.create(files.documents, rows) },
    { bytesAtLeast: 0, write: (files) => fs.writeFile(files.lexical, lexical.serialize()) },
    { bytesAtLeast: 0, write: (files) => fs.cp(options.hnswDir, files.vectorDir, { recursive: true }) },
  ]);
  lexical.close();
  const writeMs = writeTimer();
  const fileBytes: Record<string, number> = {};
  for (const name of ['documents.sqlite', 'lexical.sqlite', 'manifest.json', 'hnsw/hnswlib.index', 'hnsw/docstore.json', 'hnsw/args.json']) {
    fileBytes[name] = (await fs.stat(path.join(generation, name))).size;
  }
  return { documents: documents.length, textChars, lexicalBuildMs, writeMs, fileBytes };
}
