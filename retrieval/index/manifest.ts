import { z } from 'zod';
import { fileStampSchema } from '../corpus/file-stamp.js';

/**
 * Bumped whenever the files of an index change shape; older indexes must be rebuilt.
 * 2: BM25 in `lexical.sqlite` (SQLite FTS5) instead of `lexical.json`; every file's size and CRC-32 in `files`.
 * 3: documents, chunks and cached vectors in `documents.sqlite` (`DocumentStore`), read on demand, instead of
 *    `documents.json`, `chunks.json` and `vectors.f32`; chunk rows shared by the BM25 and vector indexes.
 */
export const INDEX_FORMAT_VERSION = 3;

/** What built an index's vectors; null in lexical-only indexes. */
export const embedderInfoSchema = z.object({
  /** Embedder id, e.g. `transformers:Xenova/all-MiniLM-L6-v2:q8:mean:8199be6f699a`. */
  id: z.string(),
  /** The configured model id it came from. */
  modelId: z.string(),
  dimension: z.number().int().positive(),
  /** SHA-256 of the ONNX file, its precision and the pooling: absent for indexes built before they were recorded, and for embedders that run no model. */
  onnxSha256: z.string().optional(),
  dtype: z.enum(['fp32', 'q8']).optional(),
  pooling: z.enum(['mean', 'cls']).optional(),
  /** Where the model folder came from (`npm run models -- list` names the sources). */
  source: z.string().optional(),
});

/** The manifest: everything needed to decide whether an index is current and compatible. */
export const manifestSchema = z.object({
  formatVersion: z.number().int(),
  builtAt: z.string(),
  embedder: embedderInfoSchema.nullable(),
  /** Why the index has no vectors, when it has none. */
  lexicalReason: z.string().nullable(),
  chunking: z.object({ chunkSize: z.number().int(), chunkOverlap: z.number().int() }),
  hnsw: z.object({ M: z.number().int(), efConstruction: z.number().int() }),
  documents: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      hash: z.string(),
      length: z.number().int().nonnegative(),
      chunks: z.number().int().nonnegative(),
      /** The file's stamp when it was read: an unchanged stamp next time means unchanged bytes. Absent: read it again. */
      file: fileStampSchema.optional(),
      /** The file's size in bytes; absent in indexes built before it was recorded (then `file.size`, when stamped). */
      bytes: z.number().int().nonnegative().optional(),
      /**
       * When the document was first indexed (ISO 8601), kept as it is while its file changes in place; absent for
       * documents first indexed before it was recorded.
       */
      addedAt: z.string().optional(),
    }),
  ),
  chunkCount: z.number().int().nonnegative(),
  /** `TERM_ANALYSIS_VERSION` of the BM25 terms; absent in indexes built before it was recorded, which hold version 1. */
  termAnalysis: z.number().int().positive().optional(),
  /**
   * Every other file of the generation, by path relative to it: its size and CRC-32, so damage anywhere in a
   * file (not only a truncation or a broken header) is caught when the index is opened, naming the file.
   */
  files: z.record(z.string(), z.object({ bytes: z.number().int().nonnegative(), crc32: z.number().int().nonnegative() })),
});

/** A parsed manifest. */
export type Manifest = z.infer<typeof manifestSchema>;
/** A manifest before its generation is written: `saveIndex` adds the `files` it wrote. A new index always records its term analysis. */
export type ManifestDraft = Omit<Manifest, 'files' | 'termAnalysis'> & { readonly termAnalysis: number };
/** The term analysis version of an index's BM25 terms (1 when its manifest predates the field). */
export function termAnalysisOf(manifest: Pick<Manifest, 'termAnalysis'>): number {
  return manifest.termAnalysis ?? 1;
}

/** A parsed embedder entry. */
export type EmbedderInfo = z.infer<typeof embedderInfoSchema>;
