import fs from 'node:fs/promises';
import path from 'node:path';
import type { TargetCheck } from '../eval-config.js';
import { latencyHistogram } from '../metrics/latency.js';
import { FAILURE_KINDS } from '../metrics/score-question.js';
import { flatMetrics, METRIC_NAMES, type EvalSummary } from '../metrics/summarize.js';
import type { EvalResultLine, EvalRunMeta } from '../run-eval.js';
import { escapeHtml as esc } from './escape-html.js';
import { formatMetric, METRIC_LABELS } from './format.js';
import { groupedBarChart, histogramChart } from './svg-charts.js';
import { typeRowCells } from './type-row-cells.js';

/** What the HTML report shows. */
export interface HtmlReportInput {
  readonly meta: EvalRunMeta;
  readonly summary: EvalSummary;
  readonly results: readonly EvalResultLine[];
  readonly targets?: { readonly set: string; readonly checks: readonly TargetCheck[] };
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid #ccc;border-radius:6px;padding:8px 12px;min-width:150px}
.card .v{font-size:20px;font-weight:600}.card .l{color:#555;font-size:12px}
.ok{color:#1a7f37}.fail{color:#c62828}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e3e3e3;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f5f5f5;position:sticky;top:0}
tr.wrong td:first-child{border-left:4px solid #c62828}tr.right td:first-child{border-left:4px solid #1a7f37}
.q{max-width:280px}.a{max-width:380px}.cit{max-width:420px}
.muted{color:#777}.quote{background:#f7f7e8}.bad{background:#fde7e7}
details summary{cursor:pointer}
.g{margin:0;padding-left:14px}
.num{text-align:right;white-space:nowrap}
`;

function yesNo(value: boolean | null): string {
  if (value === null) return '<span class="muted">–</span>';
  return value ? '<span class="ok">yes</span>' : '<span class="fail">no</span>';
}

function questionRow(result: EvalResultLine): string {
  const s = result.scores;
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
  return `<tr class="${s.correct ? 'right' : 'wrong'}">
<td>${s.correct ? '<span class="ok">right</span>' : `<span class="fail">wrong</span><br><span class="muted">${esc(s.failure ?? '')}</span>`}</td>
<td>${esc(result.id ?? '')}</td><td>${esc(s.type)}</td>
<td class="q">${esc(result.question)}${history}</td>
<td>${result.gold.answerable ? `<ul class="g">${result.gold.answers.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>` : '<i>unanswerable</i>'}</td>
<td>${result.shortAnswer === null ? '<span class="muted">–</span>' : esc(result.shortAnswer)}</td>
<td class="a">${s.abstained ? '<i class="muted">abstained</i> ' : ''}${esc(result.answer)}</td>
<td class="cit">${validity}${citations.length > 400 ? `<details><summary>${result.citations.length} citation(s)</summary>${citations}</details>` : citations}</td>
<td class="num">${s.retrievalRank ?? '<span class="muted">–</span>'}</td>
<td class="num">${s.exactMatch === null ? '–' : s.exactMatch.toFixed(0)}</td>
<td class="num">${s.f1 === null ? '–' : s.f1.toFixed(2)}</td>
<td>${yesNo(s.answerContained)}</td><td>${yesNo(s.supported)}</td>
<td class="num">${s.latencyMs.toFixed(1)}</td>
</tr>`;
}

/**
 * Renders the self-contained HTML report: headline metrics, a bar chart of metrics by question type,
 * a latency histogram and every question (failures first). Inline CSS and SVG only, no scripts, and
 * every piece of data HTML-escaped.
 */
export function renderHtmlReport(input: HtmlReportInput): string {
  const { meta, summary, results } = input;
  const metrics = flatMetrics(summary);
  const checks = new Map(input.targets?.checks.map((c) => [c.metric, c]) ?? []);
  const cards = METRIC_NAMES.map((name) => {
    const check = checks.get(name);
    const target = check ? `<div class="l ${check.pass ? 'ok' : 'fail'}">target ${check.kind === 'min' ? '≥' : '≤'} ${esc(check.bound)} ${check.pass ? '✓' : '✗'}</div>` : '';
    return `<div class="card"><div class="v">${esc(formatMetric(name, metrics[name]))}</div><div class="l">${esc(METRIC_LABELS[name])}</div>${target}</div>`;
  }).join('');

  const types = Object.keys(summary.byType);
  const slices = types.map((t) => summary.byType[t]!);
  const chart = groupedBarChart(
    types.map((t) => `${t} (${summary.byType[t]!.questions})`),
    [
      { label: 'answer contained', color: '#4477aa', values: slices.map((s) => s.answers.answerContained) },
      { label: 'citation support', color: '#66ccee', values: slices.map((s) => s.citations.support) },
      { label: 'short-answer F1', color: '#228833', values: slices.map((s) => s.answers.f1) },
      { label: 'recall@5', color: '#ccbb44', values: slices.map((s) => s.retrieval.recallAt5) },
      { label: 'abstention recall', color: '#ee6677', values: slices.map((s) => s.abstention.recall) },
    ],
    { title: 'Metrics by question type (n questions)' },
  );
  const histogram = histogramChart(latencyHistogram(results.map((r) => r.scores.latencyMs), 20), { title: 'Latency per question', unit: 'ms' });

  const typeTable = `<table><tr><th>type</th><th>n</th><th>answerable</th><th>contained</th><th>support</th><th>F1</th><th>EM</th><th>recall@5</th><th>abst. recall</th><th>false abst.</th><th>correct</th>${FAILURE_KINDS.map((k) => `<th>${esc(k)}</th>`).join('')}</tr>${types
    .map((t) => `<tr><td>${esc(t)}</td>${typeRowCells(summary.byType[t]!).map((cell) => `<td class="num">${esc(cell)}</td>`).join('')}</tr>`)
    .join('')}</table>`;

  const ordered = results.map((r, i) => ({ r, i })).sort((a, b) => Number(a.r.scores.correct) - Number(b.r.scores.correct) || a.i - b.i);
  const wrong = results.filter((r) => !r.scores.correct).length;
  const verdict = input.targets
    ? (() => {
        const failed = input.targets.checks.filter((c) => !c.pass).length;
        return `<p class="${failed ? 'fail' : 'ok'}">Targets “${esc(input.targets.set)}”: ${failed ? `${failed} of ${input.targets.checks.length} not met` : `all ${input.targets.checks.length} met`}</p>`;
      })()
    : '';

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Verbatim eval — ${esc(meta.dataset)}</title><style>${STYLE}</style></head>
<body>
<h1>Verbatim eval — ${esc(meta.dataset)}</h1>
<p>${summary.questions} questions (${summary.answerable} answerable, ${summary.unanswerable} unanswerable) ·
${esc(meta.mode)} retrieval${meta.lexicalReason ? ` (${esc(meta.lexicalReason)})` : ''} · ${esc(meta.answerer)} answerer ·
${meta.documents} documents, ${meta.chunks} chunks · chunk size ${meta.chunkSize}, overlap ${meta.chunkOverlap}, top-k ${meta.topK} ·
started ${esc(meta.startedAt)} · ingest ${(meta.timingsMs.ingest / 1000).toFixed(1)} s, asking ${(meta.timingsMs.ask / 1000).toFixed(1)} s</p>
${verdict}
<h2>Headline metrics</h2><div class="cards">${cards}</div>
<p class="muted">${summary.citations.total} citations, ${summary.citations.danglingMarkers} dangling [n] markers. Wrong questions by first cause: ${FAILURE_KINDS.map((k) => `${esc(k)} ${summary.failures[k]}`).join(', ')}. Definitions: see the Evaluation section of the README.</p>
<h2>By question type</h2>${chart}${typeTable}
<h2>Latency</h2>${histogram}
<h2>Every question (${wrong} wrong first)</h2>
<table><tr><th></th><th>id</th><th>type</th><th>question</th><th>gold</th><th>short answer</th><th>answer</th><th>citations</th><th>rank</th><th>EM</th><th>F1</th><th>contained</th><th>supported</th><th>ms</th></tr>
${ordered.map(({ r }) => questionRow(r)).join('\n')}
</table>
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
