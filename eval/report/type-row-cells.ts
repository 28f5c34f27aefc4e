import { FAILURE_KINDS } from '../metrics/score-question.js';
import type { SliceSummary } from '../metrics/summarize.js';
import { formatRatio } from './format.js';

/** Headers of the cells {@link typeRowCells} returns before the failure counts, short enough for a terminal. */
export const TYPE_ROW_HEADERS = ['n', 'ans', 'shown right', 'SA prec.', 'SA cov.', 'contained', 'support', 'F1', 'EM', 'R@5', 'abst.recall', 'false abst.'] as const;

/**
 * The cells of one question type's row after its name, as text: question counts, the headline and short-answer
 * figures, answer, citation, retrieval and abstention figures, then the wrong questions per first cause in
 * `FAILURE_KINDS` order. The terminal summary and the HTML report both build their per-type table from it, so
 * the two always show the same columns ({@link TYPE_ROW_HEADERS}).
 */
export function typeRowCells(slice: SliceSummary): string[] {
  return [
    String(slice.questions),
    String(slice.answerable),
    formatRatio(slice.headline.shownAnswerRight),
    formatRatio(slice.shortAnswers.precision),
    formatRatio(slice.shortAnswers.coverage),
    formatRatio(slice.answers.answerContained),
    formatRatio(slice.citations.support),
    formatRatio(slice.answers.f1),
    formatRatio(slice.answers.exactMatch),
    formatRatio(slice.retrieval.recallAt5),
    formatRatio(slice.abstention.recall),
    formatRatio(slice.abstention.falseAbstentionRate),
    ...FAILURE_KINDS.map((kind) => String(slice.failures[kind])),
  ];
}
