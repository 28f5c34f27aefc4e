/**
 * Real text at scale for measuring HNSW on real embeddings, from the one real corpus the repository carries (XQuAD-en,
 * 240 paragraphs, about 30,000 words): the XQuAD questions that are not held out, plus word windows over the paragraphs
 * — each window starting at a word drawn uniformly from all the words that can start one, its length drawn uniformly
 * from 20–80 words (cut at the paragraph's end), seeded — deduplicated, until the set has the size asked for. Every
 * prefix of the window stream is a uniform sample, so a small set is drawn like a large one. The held-out questions
 * are the queries: none of them is in the set.
 */
import { seededRandom } from '../retrieval/__fixtures__/seeded-random.js';
import type { SquadDataset } from '../eval/squad-adapter.js';

/** Options of {@link buildWindowTextSet}. */
export interface WindowTextSetOptions {
  /** Texts in the set. */
  readonly size: number;
  /** Questions held out as queries (the rest join the set). */
  readonly queries: number;
  /** @default 20 */
  readonly minWords?: number;
  /** @default 80 */
  readonly maxWords?: number;
  /** Seeds which questions are held out and every window. @default 1 */
  readonly seed?: number;
}

/** The texts to index and the queries to search them with. */
export interface WindowTextSet {
  /** Distinct texts, shortest first (so batches of neighbours pad little). */
  readonly texts: readonly string[];
  /** Held-out questions, none of which is in `texts`. */
  readonly queries: readonly string[];
  /** How the set was built, in one sentence, with its figures. */
  readonly description: string;
}

/** Draws per text before giving up on reaching the size with distinct windows. */
const MAX_DRAWS_PER_TEXT = 20;

/**
 * Builds the set: held-out questions first (a seeded shuffle), then the other questions, then windows until `size`
 * distinct texts.
 * @throws Error when the paragraphs cannot give `size` distinct windows.
 */
export function buildWindowTextSet(dataset: SquadDataset, options: WindowTextSetOptions): WindowTextSet {
  const minWords = options.minWords ?? 20;
  const maxWords = options.maxWords ?? 80;
  const random = seededRandom(options.seed ?? 1);
  const paragraphs = dataset.data.flatMap((article) => article.paragraphs);
  const contexts = paragraphs.map((p) => p.context.split(/\s+/).filter((word) => word !== ''));
  const questions = [...new Set(paragraphs.flatMap((p) => p.qas.map((qa) => qa.question.trim())))];
  for (let i = questions.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [questions[i], questions[j]] = [questions[j]!, questions[i]!];
  }
  const queries = questions.slice(0, options.queries);
  const heldOut = new Set(queries);
  const texts = new Set<string>();
  for (const question of questions.slice(options.queries)) if (texts.size < options.size) texts.add(question);
  const fromQuestions = texts.size;

  // Every word that can start a window of minWords, over all paragraphs: [paragraph, word] pairs by one flat index.
  const starts = contexts.map((words) => Math.max(0, words.length - minWords + 1));
  const totalStarts = starts.reduce((a, b) => a + b, 0);
  const maxDraws = options.size * MAX_DRAWS_PER_TEXT;
  let draws = 0;
  while (texts.size < options.size) {
    if (++draws > maxDraws) throw new Error(`${maxDraws} draws over ${contexts.length} paragraphs gave only ${texts.size} distinct windows of ${minWords}–${maxWords} words`);
    let at = Math.floor(random() * totalStarts);
    let paragraph = 0;
    while (at >= starts[paragraph]!) at -= starts[paragraph++]!;
    const words = contexts[paragraph]!;
    const length = Math.min(minWords + Math.floor(random() * (maxWords - minWords + 1)), words.length - at);
    const window = words.slice(at, at + length).join(' ');
    if (!heldOut.has(window)) texts.add(window);
  }
  const sorted = [...texts].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  const wordCount = contexts.reduce((sum, c) => sum + c.length, 0);
  const windows = sorted.length - fromQuestions;
  const description =
    `${sorted.length.toLocaleString('en-US')} distinct texts: ${fromQuestions} XQuAD-en questions plus ` +
    `${windows.toLocaleString('en-US')} word windows over its ${contexts.length} paragraphs (${wordCount.toLocaleString('en-US')} words), ` +
    `each starting at a word drawn uniformly from the ${totalStarts.toLocaleString('en-US')} that can start one, its length drawn uniformly from ${minWords}–${maxWords} words ` +
    `(cut at the paragraph's end), seeded; ${(draws - windows).toLocaleString('en-US')} of ${draws.toLocaleString('en-US')} draws were duplicates and dropped. ` +
    `Queries: ${queries.length} other XQuAD-en questions, held out (none is in the set)`;
  return { texts: sorted, queries, description };
}
