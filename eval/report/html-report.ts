import { generationLines } from './generation-lines.js';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ABSTENTION_REASONS } from '../../retrieval/types.js';
import type { TargetCheck } from '../eval-config.js';
import { latencyHistogram } from '../metrics/latency.js';
import { FAILURE_KINDS, SHORT_ANSWER_RIGHT_F1 } from '../metrics/score-question.js';
import { CALIBRATION_BINS, flatMetrics, METRIC_NAMES, type EvalSummary, type MetricName } from '../metrics/summarize.js';
import type { EvalResultLine, EvalRunMeta } from '../run-eval.js';
import { FAILURE_DEFINITIONS, METRIC_DEFINITIONS, REASON_DEFINITIONS, TYPE_COLUMN_DEFINITIONS } from './definitions.js';
import { escapeHtml as esc } from './escape-html.js';
import { formatMetric, formatRatio, METRIC_LABELS } from './format.js';
import { gateCurveChart, groupedBarChart, histogramChart, reliabilityDiagram } from './svg-charts.js';
import { TYPE_ROW_HEADERS, typeRowCells } from './type-row-cells.js';

/** What the HTML report shows. */
export interface HtmlReportInput {
  readonly meta: EvalRunMeta;
  readonly summary: EvalSummary;
  readonly results: readonly EvalResultLine[];
  readonly targets?: { readonly set: string; readonly checks: readonly TargetCheck[] };
  /** The gate's configured threshold on `confidence.answer`, when the caller knows it: ringed on the gate curve. */
  readonly gateThreshold?: number;
}

/** The headline: what a user experiences. */
const HEADLINE: readonly MetricName[] = ['shownAnswerRight', 'abstentionRecall', 'falseAbstentionRate'];
/** The short answers shown in bold as the answer. */
const SHORT_ANSWER_METRICS: readonly MetricName[] = ['shortAnswerPrecision', 'shortAnswerCoverage', 'shortAnswerExactMatchPrecision'];
/** Gate features listed per question (largest values first). */
const TRACED_GATE_FEATURES = 5;
/** Below this width the per-question table becomes one card per question. */
const CARD_BREAKPOINT_PX = 640;

const STYLE = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222;max-width:1400px;overflow-wrap:break-word}
table.qs td{overflow-wrap:anywhere}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}h3{font-size:14px;margin:16px 0 6px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid #ccc;border-radius:6px;padding:8px 12px;min-width:150px;flex:1 1 150px;max-width:240px}
.card .v{font-size:20px;font-weight:600}.card .l{color:#555;font-size:12px}
.card.hero{border:2px solid #4477aa;max-width:420px;flex-basis:240px}.card.hero .v{font-size:32px}
.card details{font-size:12px;color:#444}.card summary{color:#555}
.ok{color:#1a7f37}.fail{color:#c62828}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e3e3e3;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f5f5f5;position:sticky;top:0}
.scroll{overflow-x:auto;max-width:100%}
tr.wrong td:first-child{border-left:4px solid #c62828}tr.right td:first-child{border-left:4px solid #1a7f37}
.q{min-width:160px;max-width:280px}.a{min-width:220px;max-width:380px}.cit{min-width:200px;max-width:420px}.gold{min-width:120px}.sa{min-width:100px}.id{white-space:nowrap}
.muted{color:#777}.quote{background:#f7f7e8}.bad{background:#fde7e7}
.tag{display:inline-block;border-radius:3px;padding:0 4px;font-size:11px;background:#eee;color:#444;white-space:nowrap}
.tag.shown{background:#e3eefa;color:#1d4f8a}
details summary{cursor:pointer}
.g,.feat{margin:0;padding-left:14px}
.num{text-align:right;white-space:nowrap}
.charts{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
.charts figure{margin:0;max-width:100%}.charts figcaption{font-size:12px;color:#555;max-width:340px}
svg{max-width:100%;height:auto}
dl.defs{font-size:13px}dl.defs dt{font-weight:600;margin-top:6px}dl.defs dd{margin:0 0 0 14px;color:#444}
@media (max-width:${CARD_BREAKPOINT_PX}px){
body{margin:12px}
.card{max-width:none}
table.qs,table.qs tbody,table.qs tr,table.qs td{display:block;width:auto;min-width:0;max-width:none;white-space:normal}
table.qs thead{display:none}
table.qs tr{border:1px solid #ccc;border-radius:6px;margin:0 0 12px;padding:6px 8px}
table.qs tr.wrong{border-left:4px solid #c62828}table.qs tr.right{border-left:4px solid #1a7f37}
table.qs td,table.qs tr.wrong td:first-child,table.qs tr.right td:first-child{border:none;padding:2px 0}
table.qs td.num{text-align:left}
table.qs td[data-label]::before{content:attr(data-label) ": ";font-weight:600;color:#555}
}
`;

function yesNo(value: boolean | null | undefined): string {
  if (value === null || value === undefined) return '<span class="muted">–</span>';
  return value ? '<span class="ok">yes</span>' : '<span class="fail">no</span>';
}

/** The verdict a row shows: what the user saw (`shownAnswerRight`), or the legacy verdict for old result files. */
function isRight(result: EvalResultLine): boolean {
  return result.scores.shownAnswerRight ?? result.scores.correct;
}

/** The dataset's name without any folder: a report may be shared, and paths say nothing about the numbers. */
export function displayDatasetName(dataset: string): string {
  const space = dataset.indexOf(' ');
  const name = space < 0 ? dataset : dataset.slice(0, space);
  const rest = space < 0 ? '' : dataset.slice(space);
  return `${name.split(/[\\/]/).pop() ?? name}${rest}`;
}

/** `2026-11-28T21:30:12.345Z` → `2026-11-28 21:30 UTC`; anything else unchanged. */
function displayDate(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return match ? `${match[1]} ${match[2]} UTC` : iso;
}

function targetBadge(check: TargetCheck | undefined): string {
  if (!check) return '';
  return `<div class="l ${check.pass ? 'ok' : 'fail'}">target ${check.kind === 'min' ? '≥' : '≤'} ${esc(check.bound)} ${check.pass ? '✓' : '✗'}</div>`;
}

function metricCard(name: MetricName, value: number | null, check: TargetCheck | undefined, hero = false): string {
  return `<div class="card${hero ? ' hero' : ''}"><div class="v">${esc(formatMetric(name, value))}</div><div class="l">${esc(METRIC_LABELS[name])}</div>${targetBadge(check)}<details><summary>what is this?</summary>${esc(METRIC_DEFINITIONS[name])}</details></div>`;
}

function confidenceCell(result: EvalResultLine): string {
  const confidence = result.scores.confidence ?? result.confidence;
  if (!confidence) return '<span class="muted">–</span>';
  const gate = result.trace?.gate;
  const features = gate
    ? Object.entries(gate.features)
        .filter(([, v]) => v !== 0)
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, TRACED_GATE_FEATURES)
    : [];
  const trace = gate
    ? `<details><summary class="muted">gate features</summary><ul class="feat">${features.map(([f, v]) => `<li>${esc(f)} ${esc(v.toFixed(2))}</li>`).join('') || '<li class="muted">all 0</li>'}</ul></details>`
    : '';
  return `answer ${esc(confidence.answer.toFixed(2))}<br>short ${esc(confidence.shortAnswer.toFixed(2))}${trace}`;
}

function shortAnswerCell(result: EvalResultLine): string {
  if (result.shortAnswer === null) return '<span class="muted">–</span>';
  const s = result.scores;
  const shown = s.shortAnswerShown ?? result.shortAnswerConfident;
  const tag = shown === undefined ? '' : shown ? ' <span class="tag shown" title="shown in bold as the answer">shown</span>' : ' <span class="tag" title="not confident enough: the quote leads">not shown</span>';
  const verdict = s.shortAnswerRight === null || s.shortAnswerRight === undefined ? '' : s.shortAnswerRight ? ' <span class="ok">✓</span>' : ' <span class="fail">✗</span>';
  return `${shown ? '<b>' : ''}${esc(result.shortAnswer)}${shown ? '</b>' : ''}${tag}${verdict}`;
}

function questionRow(result: EvalResultLine): string {
  const s = result.scores;
  const right = isRight(result);
  const invalid = new Set(s.invalidCitations);
  const history = result.gold.history?.length
    ? `<details><summary class="muted">history (${result.gold.history.length} turns)</summary>${result.gold.history.map((t) => `<div><b>${esc(t.role)}:</b> ${esc(t.content)}</div>`).join('')}</details>`
    : '';
  const citations = result.citations.length
    ? result.citations
        .map(
          (c) =>
            `<div${invalid.has(c.n) ? ' class="bad" title="quote does not equal the document text at these offsets"' : ''}>[${esc(c.n)}] <span class="muted">${esc(c.docId)} ${esc(c.start)}–${esc(c.end)}</span>${invalid.has(c.n) ? ' <b class="fail">invalid</b>' : ''}<br><span class="quote">${esc(c.quote)}</span></div>`,
        )
        .join('')
    : '<span class="muted">none</span>';
  const validity = invalid.size === 0 ? '' : `<div class="fail">${invalid.size} invalid citation(s)</div>`;
  const reason = s.abstentionReason ?? result.abstentionReason ?? null;
  const abstained = s.abstained ? `<i class="muted">abstained${reason ? ` (${esc(reason)})` : ''}</i> ` : '';
  return `<tr class="${right ? 'right' : 'wrong'}">
<td data-label="verdict">${right ? '<span class="ok">right</span>' : `<span class="fail">wrong</span> <span class="muted">${esc(s.failure ?? '')}</span>`}<div class="muted"><span class="id">${esc(result.id ?? '')}</span> · ${esc(s.type)}</div></td>
<td class="q" data-label="question">${esc(result.question)}${history}</td>
<td class="gold" data-label="gold">${result.gold.answerable ? `<ul class="g">${result.gold.answers.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>` : '<i>unanswerable</i>'}</td>
<td class="sa" data-label="short answer">${shortAnswerCell(result)}</td>
<td class="a" data-label="answer">${abstained}${esc(result.answer)}</td>
<td class="cit" data-label="citations">${validity}${citations.length > 400 ? `<details><summary>${result.citations.length} citation(s)</summary>${citations}</details>` : citations}</td>
<td data-label="confidence">${confidenceCell(result)}</td>
<td class="num" data-label="rank">${s.retrievalRank ?? '<span class="muted">–</span>'}</td>
<td class="num" data-label="F1">${s.f1 === null ? '–' : s.f1.toFixed(2)}</td>
<td data-label="quote has answer">${yesNo(s.supported)}</td>
<td class="num" data-label="ms">${s.latencyMs.toFixed(1)}</td>
</tr>`;
}

function definitionList(entries: readonly (readonly [string, string])[]): string {
  return `<dl class="defs">${entries.map(([term, text]) => `<dt>${esc(term)}</dt><dd>${esc(text)}</dd>`).join('')}</dl>`;
}

function calibrationSection(summary: EvalSummary): string {
  const { answer, shortAnswer } = summary.calibration;
  const subtitle = (c: typeof answer) => `${c.questions} questions · ECE ${formatRatio(c.expectedCalibrationError)}`;
  return `<h2>Calibration: is the confidence right?</h2>
<p>A calibrated confidence of 0.8 is right 8 times in 10. Each bar is one of ${CALIBRATION_BINS} equal confidence bins: its height is the share right, the dot (on the dashed diagonal) its mean confidence, the number above it how many questions fell in it. A bar reaching its dot is calibrated; a bar below its dot, over-confident. The calibration error (ECE) is the gap between bar and dot, weighted by the bin's questions (0 is perfect).</p>
<div class="charts">
<figure>${reliabilityDiagram(answer.bins, { title: 'Answer confidence', subtitle: subtitle(answer) })}<figcaption>Right: a quoted sentence contains an accepted answer. Over answered questions; an answer to a question the documents do not answer is wrong.</figcaption></figure>
<figure>${reliabilityDiagram(shortAnswer.bins, { title: 'Short-answer confidence', subtitle: subtitle(shortAnswer) })}<figcaption>Right: token F1 ≥ ${SHORT_ANSWER_RIGHT_F1} against an accepted answer. Over questions with a short answer, shown or not.</figcaption></figure>
</div>`;
}

function gateSection(input: HtmlReportInput): string {
  const { summary } = input;
  const rows = summary.gateCurve
    .map((p) => `<tr><td class="num">${p.threshold.toFixed(2)}</td><td class="num">${formatRatio(p.abstentionRecall)}</td><td class="num">${formatRatio(p.falseAbstentionRate)}</td><td class="num">${formatRatio(p.abstentionPrecision)}</td></tr>`)
    .join('');
  const chart = gateCurveChart(summary.gateCurve, {
    title: 'Abstention gate: threshold trade-off',
    run: { abstentionRecall: summary.abstention.recall, falseAbstentionRate: summary.abstention.falseAbstentionRate },
    ...(input.gateThreshold !== undefined ? { threshold: input.gateThreshold } : {}),
  });
  const reasons = ABSTENTION_REASONS.map((r) => {
    const counts = summary.abstentionReasons[r];
    return `<tr><td>${esc(r)}</td><td>${esc(REASON_DEFINITIONS[r])}</td><td class="num">${counts.falseAbstentions}</td><td class="num">${counts.correctAbstentions}</td></tr>`;
  }).join('');
  const configured = input.gateThreshold === undefined ? '' : ` The green ring is the configured threshold, ${esc(input.gateThreshold.toFixed(2))}.`;
  return `<h2>Abstention</h2>
<p>The answer confidence decides whether to answer: below a threshold the system declines. Each dot is one threshold (0.00 to 1.00 in steps of 0.05): how many unanswerable questions it would decline (abstention recall, up is better) against how many answerable ones it would decline too (false abstention, left is better). Computed from the confidences alone. The red cross is what this run actually did.${configured}</p>
<div class="charts"><figure>${chart}</figure>
<details><summary>the curve as a table</summary><table><thead><tr><th>threshold</th><th>abst. recall</th><th>false abst.</th><th>abst. precision</th></tr></thead><tbody>${rows}</tbody></table>
<p class="muted">abst. precision: of the questions declined at that threshold, the share the documents do not answer.</p></details></div>
<h3>Why it declined</h3>
<div class="scroll"><table><thead><tr><th>reason</th><th>meaning</th><th>false abstentions (answerable)</th><th>correct abstentions (unanswerable)</th></tr></thead><tbody>${reasons}</tbody></table></div>`;
}

/**
 * Renders the self-contained HTML report: the user-experienced headline (shown answer right, abstention recall,
 * false abstention) and the short answers shown, every other metric with its definition, reliability diagrams,
 * the gate curve and abstention reasons, metrics by question type, a latency histogram and every question
 * (wrong first). Inline CSS and SVG only, no scripts, every piece of data HTML-escaped, no file paths or error
 * text in the header; readable at phone width (the question table becomes cards).
 */
export function renderHtmlReport(input: HtmlReportInput): string {
  const { meta, summary, results } = input;
  const metrics = flatMetrics(summary);
  const checks = new Map(input.targets?.checks.map((c) => [c.metric, c]) ?? []);
  const card = (name: MetricName, hero = false) => metricCard(name, metrics[name], checks.get(name), hero);
  const featured = new Set<MetricName>([...HEADLINE, ...SHORT_ANSWER_METRICS]);
  const otherCards = METRIC_NAMES.filter((name) => !featured.has(name))
    .map((name) => card(name))
    .join('');

  const types = Object.keys(summary.byType);
  const slices = types.map((t) => summary.byType[t]!);
  const chart = groupedBarChart(
    types.map((t) => `${t} (${summary.byType[t]!.questions})`),
    [
      { label: 'shown answer right', color: '#4477aa', values: slices.map((s) => s.headline.shownAnswerRight) },
      { label: 'short answer precision', color: '#228833', values: slices.map((s) => s.shortAnswers.precision) },
      { label: 'short answer coverage', color: '#66ccee', values: slices.map((s) => s.shortAnswers.coverage) },
      { label: 'recall@5', color: '#ccbb44', values: slices.map((s) => s.retrieval.recallAt5) },
      { label: 'abstention recall', color: '#ee6677', values: slices.map((s) => s.abstention.recall) },
    ],
    { title: 'Metrics by question type (n questions)' },
  );
  const histogram = histogramChart(latencyHistogram(results.map((r) => r.scores.latencyMs), 20), { title: 'Latency per question', unit: 'ms' });

  const typeTable = `<div class="scroll"><table><thead><tr><th>type</th>${TYPE_ROW_HEADERS.map((h) => `<th>${esc(h)}</th>`).join('')}${FAILURE_KINDS.map((k) => `<th>${esc(k)}</th>`).join('')}</tr></thead><tbody>${types
    .map((t) => `<tr><td>${esc(t)}</td>${typeRowCells(summary.byType[t]!).map((cell) => `<td class="num">${esc(cell)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
  const typeDefinitions = `<details><summary>what the columns mean</summary>${definitionList([
    ...TYPE_ROW_HEADERS.map((h) => [h, TYPE_COLUMN_DEFINITIONS[h] ?? ''] as const),
    ...FAILURE_KINDS.map((k) => [k, `wrong questions by first cause: ${FAILURE_DEFINITIONS[k]}`] as const),
  ])}</details>`;

  const ordered = results.map((r, i) => ({ r, i })).sort((a, b) => Number(isRight(a.r)) - Number(isRight(b.r)) || a.i - b.i);
  const wrong = results.filter((r) => !isRight(r)).length;
  const verdict = input.targets
    ? (() => {
        const failed = input.targets.checks.filter((c) => !c.pass).length;
        return `<p class="${failed ? 'fail' : 'ok'}">Targets “${esc(input.targets.set)}”: ${failed ? `${failed} of ${input.targets.checks.length} not met` : `all ${input.targets.checks.length} met`}</p>`;
      })()
    : '';
  const dataset = displayDatasetName(meta.dataset);
  const sa = summary.shortAnswers;

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Verbatim eval — ${esc(dataset)}</title><style>${STYLE}</style></head>
<body>
<h1>Verbatim eval — ${esc(dataset)}</h1>
<p>${summary.questions} questions (${summary.answerable} answerable, ${summary.unanswerable} unanswerable) ·
${esc(meta.mode)} retrieval · ${esc(meta.answerer)} answerer ·
${meta.documents} documents, ${meta.chunks} chunks · chunk size ${meta.chunkSize}, overlap ${meta.chunkOverlap}, top-k ${meta.topK} ·
${esc(displayDate(meta.startedAt))} · ingest ${(meta.timingsMs.ingest / 1000).toFixed(1)} s, asking ${(meta.timingsMs.ask / 1000).toFixed(1)} s</p>
${verdict}
<h2>What a user sees</h2>
<div class="cards">${HEADLINE.map((name, i) => card(name, i === 0)).join('')}</div>
<h3>Short answers shown in bold as the answer (${sa.shown} shown, ${sa.shownAnswerable} of ${summary.answerable} answerable questions)</h3>
<div class="cards">${SHORT_ANSWER_METRICS.map((name) => card(name)).join('')}</div>
<p class="muted">When the short-answer confidence is below its threshold, the page leads with the quoted sentence instead, and only the quote is judged.</p>
${summary.generation ? `<h2>Generated answers</h2><ul>${generationLines(summary.generation).map((line) => `<li>${esc(line)}</li>`).join('')}</ul>` : ''}
<h2>All metrics</h2><div class="cards">${otherCards}</div>
<p class="muted">${summary.citations.total} citations, ${summary.citations.danglingMarkers} dangling [n] markers. Wrong questions by first cause: ${FAILURE_KINDS.map((k) => `${esc(k)} ${summary.failures[k]}`).join(', ')}.</p>
<details><summary>what the first causes mean</summary>${definitionList(FAILURE_KINDS.map((k) => [k, FAILURE_DEFINITIONS[k]] as const))}</details>
${calibrationSection(summary)}
${gateSection(input)}
<h2>By question type</h2>${chart}${typeTable}${typeDefinitions}
<h2>Latency</h2>${histogram}
<h2>Every question (${wrong} wrong first)</h2>
<p class="muted">Verdict: shown answer right. Short answer: <span class="tag shown">shown</span> in bold as the answer, or <span class="tag">not shown</span> (the quote leads); ✓ when right. Confidence: the calibrated answer and short-answer confidences, with the gate's largest features when the run kept a trace. Rank: of the first passage with the evidence. Quote has answer: a quoted sentence contains an accepted answer.</p>
<div class="scroll"><table class="qs"><thead><tr><th>verdict, id · type</th><th>question</th><th>gold</th><th>short answer</th><th>answer</th><th>citations</th><th>confidence</th><th>rank</th><th>F1</th><th>quote has answer</th><th>ms</th></tr></thead>
<tbody>
${ordered.map(({ r }) => questionRow(r)).join('\n')}
</tbody></table></div>
</body></html>
`;
}

/** Writes `index.html` into `dir` (created when missing) and returns its path. */
export async function writeHtmlReport(dir: string, input: HtmlReportInput): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, 'index.html');
  await fs.writeFile(file, renderHtmlReport(input), 'utf8');
  return file;
}
