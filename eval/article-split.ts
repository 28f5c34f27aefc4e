import { InputError } from '../retrieval/errors.js';
import type { SquadDataset } from './squad-adapter.js';

/**
 * Halves of a SQuAD file by article: an article's 0-based position in the file's `data` array is odd or even.
 * Settings are fitted on the questions of one half and reported on the other, while the corpus stays every
 * article, so retrieval is exactly as hard as on the whole set (a passage of a held-out article still competes).
 * Whole articles, not questions, are split: questions on one paragraph share wording and would leak across.
 */
export const ARTICLE_SPLITS = ['odd', 'even'] as const;

/** One of {@link ARTICLE_SPLITS}. */
export type ArticleSplit = (typeof ARTICLE_SPLITS)[number];

/** Reads an `--article-split` value. @throws InputError naming the accepted values. */
export function parseArticleSplit(value: string): ArticleSplit {
  const split = ARTICLE_SPLITS.find((s) => s === value);
  if (!split) throw new InputError(`--article-split takes ${ARTICLE_SPLITS.join(' or ')} (articles by 0-based position in the SQuAD file), got ${JSON.stringify(value)}`);
  return split;
}

/** What {@link selectArticleSplit} keeps. */
export interface ArticleSplitSelection<T> {
  /** The questions of the split's articles, in their original order. */
  readonly items: T[];
  /** Articles in the split. */
  readonly articles: number;
  /** Articles in the whole file. */
  readonly totalArticles: number;
  /** For the dataset name in summaries, e.g. `odd articles: 24 of 48`. */
  readonly label: string;
}

/**
 * Keeps the questions (by SQuAD question id) of the articles in `split`; `items` are the converted questions of
 * `dataset` (or any subset of them). The corpus is not touched: write it from the whole conversion.
 */
export function selectArticleSplit<T extends { readonly id: string }>(dataset: SquadDataset, items: readonly T[], split: ArticleSplit): ArticleSplitSelection<T> {
  const parity = split === 'odd' ? 1 : 0;
  const ids = new Set<string>();
  let articles = 0;
  dataset.data.forEach((article, index) => {
    if (index % 2 !== parity) return;
    articles++;
    for (const paragraph of article.paragraphs) for (const qa of paragraph.qas) ids.add(qa.id);
  });
  const totalArticles = dataset.data.length;
  return { items: items.filter((item) => ids.has(item.id)), articles, totalArticles, label: `${split} articles: ${articles} of ${totalArticles}` };
}
