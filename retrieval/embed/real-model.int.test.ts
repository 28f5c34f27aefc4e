/**
 * Parity of Verbatim's embedder with the original model: the default embedder (all-MiniLM-L6-v2, int8 ONNX, as
 * `npm run models -- fetch` assembles it) against sentence-transformers' own fp32 PyTorch vectors for the same
 * texts, computed by `__fixtures__/parity/make-reference.py` (versions recorded in the reference file).
 *
 * CI fetches the model first (.ci/run), so these run on every submission; on a machine without it they are skipped,
 * and the test name says why.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EMBEDDER } from '../models/model-catalog.js';
import { REAL_MODEL_PRESENT, REAL_MODEL_SKIP_NOTE, REPO_MODEL_DIR } from '../models/__fixtures__/real-default-embedder.js';
import type { Embedder } from './embedder.js';
import { loadEmbedder } from './load-embedder.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PARITY = path.join(HERE, '__fixtures__', 'parity');

interface Reference {
  readonly sentencesSha256: string;
  readonly dimension: number;
  readonly maxSeqLength: number;
  readonly count: number;
  readonly tokenCounts: readonly number[];
  readonly vectorsFloat32Base64: string;
}

/**
 * Cosine similarity to the fp32 reference that every text must reach: the bar for int8 weights. Measured on this
 * fixture (94 texts, 2026-12-02): minimum 0.99849 (a unicode text), 5th percentile 0.99902, mean 0.99947; the long,
 * truncated texts 0.99936 at worst. The mean and the long texts are held to tighter bars below, which a broken
 * tokenisation, truncation or pooling would miss.
 */
const INT8_MIN_COSINE = 0.98;

let embedder: Embedder;
let texts: string[];
let reference: Reference;
let expected: Float32Array[];

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

describe.skipIf(!REAL_MODEL_PRESENT)(`the default embedder against sentence-transformers in PyTorch${REAL_MODEL_SKIP_NOTE}`, () => {
  beforeAll(async () => {
    const sentencesFile = await readFile(path.join(PARITY, 'sentences.json'));
    texts = (JSON.parse(sentencesFile.toString('utf8')) as { text: string }[]).map((s) => s.text);
    reference = JSON.parse(await readFile(path.join(PARITY, 'all-MiniLM-L6-v2.reference.json'), 'utf8')) as Reference;
    expect(createHash('sha256').update(sentencesFile).digest('hex'), 'sentences.json changed: re-run make-reference.py').toBe(reference.sentencesSha256);
    const bytes = Buffer.from(reference.vectorsFloat32Base64, 'base64');
    const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    expected = Array.from({ length: reference.count }, (_, i) => all.slice(i * reference.dimension, (i + 1) * reference.dimension));
    embedder = await loadEmbedder({ modelId: DEFAULT_EMBEDDER.modelId, modelDir: REPO_MODEL_DIR, allowRemoteModels: false, batchSize: 16, spec: DEFAULT_EMBEDDER });
  });

  afterAll(async () => {
    await embedder?.dispose();
  });

  it('truncates where the original does and has its dimension', () => {
    expect(reference.maxSeqLength).toBe(DEFAULT_EMBEDDER.maxTokens);
    expect(embedder.dimension).toBe(reference.dimension);
    expect(reference.tokenCounts.filter((n) => n > reference.maxSeqLength).length).toBeGreaterThanOrEqual(3);
  });

  it(`gives unit vectors within cosine ${INT8_MIN_COSINE} of the reference for every text (int8 weights)`, async () => {
    const vectors = await embedder.embed(texts);
    const similarities = vectors.map((v, i) => cosine(v, expected[i]!));
    for (const vector of vectors) expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    const worst = similarities.reduce((low, s, i) => (s < similarities[low]! ? i : low), 0);
    expect(similarities[worst], `text ${worst}: ${texts[worst]!.slice(0, 80)}`).toBeGreaterThanOrEqual(INT8_MIN_COSINE);
    const mean = similarities.reduce((sum, s) => sum + s, 0) / similarities.length;
    expect(mean).toBeGreaterThanOrEqual(0.998);
    const truncated = similarities.filter((_, i) => reference.tokenCounts[i]! > reference.maxSeqLength);
    expect(Math.min(...truncated)).toBeGreaterThanOrEqual(0.998);
  });

  it('gives the same vectors in batches as one at a time, truncated texts included', async () => {
    const batched = await embedder.embed(texts);
    for (const [i, text] of texts.entries()) {
      const [alone] = await embedder.embed([text]);
      expect(cosine(alone!, batched[i]!), `text ${i}`).toBeGreaterThan(0.99999);
    }
  });

  it('ignores what lies past the token limit, as the original does', async () => {
    const long = texts[reference.tokenCounts.findIndex((n) => n > 2 * reference.maxSeqLength)]!;
    const [cut, extended] = await embedder.embed([long, `${long} And then a further sentence nobody will ever read.`]);
    expect(cosine(cut!, extended!)).toBeGreaterThan(0.99999);
  });
});
