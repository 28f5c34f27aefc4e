import type { TargetCheck } from '../eval-config.js';
import { FAILURE_KINDS } from '../metrics/score-question.js';
import { flatMetrics, METRIC_NAMES, type EvalSummary } from '../metrics/summarize.js';
import type { EvalRunMeta } from '../run-eval.js';
import { alignColumns, formatMetric, formatRatio, METRIC_LABELS } from './format.js';
import { generationLines } from './generation-lines.js';
import { TYPE_ROW_HEADERS, typeRowCells } from './type-row-cells.js';

/** Short column headers for the failure causes, so the type table fits a terminal. */
const FAILURE_COLUMNS: Readonly<Record<(typeof FAILURE_KINDS)[number], string>> = {
  'retrieval-miss': 'miss',
  'false-abstention': 'f.abst',
  'wrong-answer': 'wrong',
  unsupported: 'unsup',
  'wrong-short-answer': 'wr.SA',
  'invalid-citation': 'inval',
  'answered-unanswerable': 'ans.unans',
};

/**
 * The headline lines: what a user experiences (the shown answer right, abstention recall, false abstention), then
 * the short answers shown in bold (precision, coverage) and how well the confidences are calibrated.
 */
export function formatHeadline(summary: EvalSummary): string[] {
  const h = summary.headline;
  const sa = summary.shortAnswers;
  return [
    `shown answer right ${formatRatio(h.shownAnswerRight)} · abstention recall ${formatRatio(h.abstentionRecall)} · false abstention ${formatRatio(h.falseAbstentionRate)}`,
    `short answers shown: ${sa.shown} (${sa.shownAnswerable} of ${summary.answerable} answerable) · precision ${formatRatio(sa.precision)} (exact ${formatRatio(sa.exactMatchPrecision)}) · coverage ${formatRatio(sa.coverage)}`,
    `calibration error (ECE): answer ${formatRatio(summary.calibration.answer.expectedCalibrationError)}, short answer ${formatRatio(summary.calibration.shortAnswer.expectedCalibrationError)}`,
  ];
}

/**
 * The summary printed after a run: the headline (see {@link formatHeadline}), every metric (with targets, when
 * checked), then the metrics per question type, then the verdict on the targets.
 */
export function formatTerminalSummary(meta: EvalRunMeta, summary: EvalSummary, checks?: { set: string; checks: readonly TargetCheck[] }): string {
  const out: string[] = [];
  out.push(
    `Verbatim eval — ${meta.dataset}: ${summary.questions} questions (${summary.answerable} answerable, ${summary.unanswerable} unanswerable), ` +
      `${meta.mode} retrieval, ${meta.answerer} answerer, ${meta.documents} documents / ${meta.chunks} chunks`,
  );
  out.push(`ingest ${(meta.timingsMs.ingest / 1000).toFixed(1)} s, asking ${(meta.timingsMs.ask / 1000).toFixed(1)} s, total ${(meta.timingsMs.total / 1000).toFixed(1)} s`);
  out.push('', ...formatHeadline(summary), '');
  if (summary.generation) out.push(...generationLines(summary.generation), '');
  const metrics = flatMetrics(summary);
  const byMetric = new Map(checks?.checks.map((c) => [c.metric, c]) ?? []);
  const rows: string[][] = [['metric', 'value', ...(checks ? ['target', ''] : [])]];
  for (const name of METRIC_NAMES) {
    const check = byMetric.get(name);
    const target = check ? `${check.kind === 'min' ? '≥' : '≤'} ${check.bound}` : '';
    rows.push([METRIC_LABELS[name], formatMetric(name, metrics[name]), ...(checks ? [target, check ? (check.pass ? 'ok' : 'FAIL') : ''] : [])]);
  }
  out.push(alignColumns(rows));
  out.push(`citations: ${summary.citations.total} in total, ${summary.citations.danglingMarkers} dangling [n] markers`);
  out.push(`wrong questions by first cause: ${FAILURE_KINDS.map((k) => `${k} ${summary.failures[k]}`).join(', ')}`);
  out.push('');
  out.push('By question type');
  const typeRows: string[][] = [['type', ...TYPE_ROW_HEADERS, ...FAILURE_KINDS.map((k) => FAILURE_COLUMNS[k])]];
  for (const [type, slice] of Object.entries(summary.byType)) typeRows.push([type, ...typeRowCells(slice)]);
  out.push(alignColumns(typeRows));
  out.push(`(SA = short answer shown in bold; wrong questions by first cause: ${FAILURE_KINDS.map((k) => `${FAILURE_COLUMNS[k]} = ${k}`).join(', ')})`);
  if (meta.evidenceNotFound > 0) out.push('', `warning: ${meta.evidenceNotFound} questions have evidence that occurs nowhere in the corpus`);
  if (meta.retrievalPrefixMismatches > 0) out.push('', `warning: ${meta.retrievalPrefixMismatches} questions had a deeper retrieval that did not extend the ask's passages; recall@10 may be off`);
  if (checks) {
    const failed = checks.checks.filter((c) => !c.pass);
    out.push('', failed.length === 0 ? `targets "${checks.set}": all ${checks.checks.length} met` : `targets "${checks.set}": ${failed.length} of ${checks.checks.length} NOT met`);
  }
  return `${out.join('\n')}\n`;
}
