/**
 * Real-text corpora of a chosen size for the scale benchmark: copies of the XQuAD-en articles, each copy with its
 * paragraphs in a seeded shuffled order and a line naming the copy (so every file has its own bytes and hash), written
 * until the default chunker makes the wanted number of chunks. Files sit 100 to a folder, as a large corpus would.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { PARAGRAPH_SEPARATOR, readSquadFile } from '../eval/squad-adapter.js';
import { chunkDocument } from '../retrieval/chunk/chunk-document.js';
import { seededRandom } from '../retrieval/__fixtures__/seeded-random.js';
import { xquadFile } from './corpora.js';

/** Files per folder of a scale corpus. */
const FILES_PER_FOLDER = 100;

/** A written scale corpus. */
export interface ScaleCorpus {
  readonly dir: string;
  readonly files: number;
  /** Chunks the default chunker makes of it (at least the size asked for). */
  readonly chunks: number;
  /** Distinct XQuAD questions, in a seeded order. */
  readonly questions: readonly string[];
  /** Writes one more article copy (a file the corpus did not have) at `relative`, for add-one-file runs. */
  writeExtraFile(relative: string, copy: number): Promise<void>;
}

/** Options of {@link writeScaleCorpus}. */
export interface ScaleCorpusOptions {
  readonly dir: string;
  /** Chunks wanted. */
  readonly chunks: number;
  readonly chunkSize: number;
  readonly chunkOverlap: number;
  /** The SQuAD-format file. @default the vendored XQuAD-en */
  readonly xquad?: string;
  /** @default 13 */
  readonly seed?: number;
}

/** Writes copies of the XQuAD articles under `dir` until they make `chunks` chunks. */
export async function writeScaleCorpus(options: ScaleCorpusOptions): Promise<ScaleCorpus> {
  const dataset = await readSquadFile(xquadFile(options.xquad));
  const random = seededRandom(options.seed ?? 13);
  const articles = dataset.data.map((article) => ({ title: article.title, paragraphs: article.paragraphs.map((p) => p.context) }));
  const shuffled = <T>(items: readonly T[]): T[] => {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  };
  const textOf = (copy: number) => {
    const article = articles[copy % articles.length]!;
    return `${article.title} (copy ${copy})${PARAGRAPH_SEPARATOR}${shuffled(article.paragraphs).join(PARAGRAPH_SEPARATOR)}\n`;
  };
  const fileOf = (copy: number) => path.join(`part-${String(Math.floor(copy / FILES_PER_FOLDER)).padStart(4, '0')}`, `article-${copy}.txt`);

  await fs.rm(options.dir, { recursive: true, force: true });
  let chunks = 0;
  let files = 0;
  while (chunks < options.chunks) {
    const relative = fileOf(files);
    const text = textOf(files);
    await fs.mkdir(path.join(options.dir, path.dirname(relative)), { recursive: true });
    await fs.writeFile(path.join(options.dir, relative), text);
    const pieces = await chunkDocument({ id: relative, title: '', text, hash: '' }, { chunkSize: options.chunkSize, chunkOverlap: options.chunkOverlap });
    chunks += pieces.length;
    files++;
  }
  const questions = shuffled([...new Set(dataset.data.flatMap((a) => a.paragraphs.flatMap((p) => p.qas.map((q) => q.question))))]);
  return {
    dir: options.dir,
    files,
    chunks,
    questions,
    async writeExtraFile(relative, copy) {
      await fs.mkdir(path.join(options.dir, path.dirname(relative)), { recursive: true });
      await fs.writeFile(path.join(options.dir, relative), textOf(copy));
    },
  };
}
