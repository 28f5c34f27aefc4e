import { FAILURE_KINDS } from '../metrics/score-question.js';
import type { SliceSummary } from '../metrics/summarize.js';
import { formatRatio } from './format.js';

/**
 * The cells of one question type's row after its name, as text: question counts, answer, citation, retrieval and
 * abstention figures, then the wrong questions per first cause in `FAILURE_KINDS` order. The terminal summary and
 * the HTML report both build their per-type table from it, so the two always show the same columns.
 */
export function typeRowCells(slice: SliceSummary): string[] {
  return [
    String(slice.questions),
    String(slice.answerable),
    formatRatio(slice.answers.answerContained),
    formatRatio(slice.citations.support),
    formatRatio(slice.answers.f1),
    formatRatio(slice.answers.exactMatch),
    formatRatio(slice.retrieval.recallAt5),
    formatRatio(slice.abstention.recall),
    formatRatio(slice.abstention.falseAbstentionRate),
    formatRatio(slice.correct),
    ...FAILURE_KINDS.map((kind) => String(slice.failures[kind])),
  ];
}
