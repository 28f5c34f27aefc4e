import { escapeHtml } from './escape-html.js';

/** One series of a grouped bar chart. */
export interface BarSeries {
  readonly label: string;
  readonly color: string;
  /** One value in [0, 1] per group; `null` draws no bar. */
  readonly values: readonly (number | null)[];
}

const FONT = 'font-family="system-ui, sans-serif" font-size="11"';

/**
 * A grouped bar chart of ratios (0–1) as inline SVG: one group per label, one bar per series,
 * a `<title>` on every bar for its exact value (tooltips need no script).
 */
export function groupedBarChart(groups: readonly string[], series: readonly BarSeries[], options: { readonly title: string }): string {
  const barW = 12;
  const gap = 4;
  const groupW = series.length * barW + (series.length - 1) * gap + 24;
  const left = 40;
  const top = 28;
  const plotH = 180;
  const width = Math.max(360, left + groups.length * groupW + 10);
  const height = top + plotH + 60;
  const y = (v: number) => top + plotH - v * plotH;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(options.title)}">`);
  parts.push(`<text x="${left}" y="14" ${FONT} font-weight="bold">${escapeHtml(options.title)}</text>`);
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${y(tick)}" y2="${y(tick)}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 4}" y="${y(tick) + 4}" text-anchor="end" ${FONT}>${tick.toFixed(2)}</text>`);
  }
  groups.forEach((group, g) => {
    const x0 = left + 12 + g * groupW;
    series.forEach((s, i) => {
      const value = s.values[g];
      const x = x0 + i * (barW + gap);
      if (value === null || value === undefined) {
        parts.push(`<text x="${x + barW / 2}" y="${y(0) - 3}" text-anchor="middle" font-size="8" fill="#999">–</text>`);
        return;
      }
      const v = Math.max(0, Math.min(1, value));
      parts.push(
        `<rect x="${x}" y="${y(v)}" width="${barW}" height="${Math.max(0, y(0) - y(v))}" fill="${s.color}"><title>${escapeHtml(`${group}: ${s.label} ${value.toFixed(3)}`)}</title></rect>`,
      );
    });
    parts.push(`<text x="${x0 + (groupW - 24) / 2}" y="${top + plotH + 16}" text-anchor="middle" ${FONT}>${escapeHtml(group)}</text>`);
  });
  let lx = left;
  for (const s of series) {
    parts.push(`<rect x="${lx}" y="${height - 18}" width="10" height="10" fill="${s.color}"/>`);
    parts.push(`<text x="${lx + 14}" y="${height - 9}" ${FONT}>${escapeHtml(s.label)}</text>`);
    lx += 24 + s.label.length * 6.5;
  }
  parts.push('</svg>');
  return parts.join('');
}

/** A histogram as inline SVG; bins are `[from, to)` ranges with counts. */
export function histogramChart(bins: readonly { readonly from: number; readonly to: number; readonly count: number }[], options: { readonly title: string; readonly unit: string }): string {
  const left = 40;
  const top = 28;
  const plotH = 160;
  const barW = 22;
  const width = Math.max(360, left + bins.length * barW + 20);
  const height = top + plotH + 46;
  const max = Math.max(1, ...bins.map((b) => b.count));
  const y = (c: number) => top + plotH - (c / max) * plotH;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(options.title)}">`);
  parts.push(`<text x="${left}" y="14" ${FONT} font-weight="bold">${escapeHtml(options.title)}</text>`);
  for (const tick of [0, Math.ceil(max / 2), max]) {
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${y(tick)}" y2="${y(tick)}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 4}" y="${y(tick) + 4}" text-anchor="end" ${FONT}>${tick}</text>`);
  }
  bins.forEach((bin, i) => {
    const x = left + 4 + i * barW;
    parts.push(
      `<rect x="${x}" y="${y(bin.count)}" width="${barW - 2}" height="${Math.max(0, y(0) - y(bin.count))}" fill="#4477aa"><title>${escapeHtml(`${bin.from.toFixed(1)}–${bin.to.toFixed(1)} ${options.unit}: ${bin.count}`)}</title></rect>`,
    );
    if (i % Math.max(1, Math.ceil(bins.length / 6)) === 0) parts.push(`<text x="${x}" y="${top + plotH + 14}" ${FONT}>${escapeHtml(bin.from.toFixed(0))}</text>`);
  });
  const last = bins[bins.length - 1];
  if (last) parts.push(`<text x="${left + 4 + bins.length * barW}" y="${top + plotH + 14}" text-anchor="end" ${FONT}>${escapeHtml(last.to.toFixed(0))}</text>`);
  parts.push(`<text x="${left}" y="${height - 6}" ${FONT}>${escapeHtml(options.unit)}</text>`);
  parts.push('</svg>');
  return parts.join('');
}

/** One bin of a reliability diagram, as {@link reliabilityDiagram} draws it. */
export interface ReliabilityBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
  readonly meanConfidence: number | null;
  readonly accuracy: number | null;
}

/**
 * A reliability diagram as inline SVG: one bar per confidence bin whose height is the share right, a dot at the
 * bin's mean confidence (on the diagonal: where the bar would end if calibrated, so bar-to-dot is the bin's
 * calibration gap), and the bin's count above it.
 */
export function reliabilityDiagram(bins: readonly ReliabilityBin[], options: { readonly title: string; readonly subtitle?: string }): string {
  const left = 42;
  const top = 40;
  const plot = 220;
  const width = left + plot + 14;
  const height = top + plot + 40;
  const x = (v: number) => left + v * plot;
  const y = (v: number) => top + plot - v * plot;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(options.title)}">`);
  parts.push(`<text x="4" y="14" ${FONT} font-weight="bold">${escapeHtml(options.title)}</text>`);
  if (options.subtitle) parts.push(`<text x="4" y="28" ${FONT} fill="#555">${escapeHtml(options.subtitle)}</text>`);
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line x1="${x(0)}" x2="${x(1)}" y1="${y(tick)}" y2="${y(tick)}" stroke="#eee"/>`);
    parts.push(`<text x="${left - 4}" y="${y(tick) + 4}" text-anchor="end" ${FONT}>${tick.toFixed(2)}</text>`);
    parts.push(`<text x="${x(tick)}" y="${top + plot + 14}" text-anchor="middle" ${FONT}>${tick.toFixed(2)}</text>`);
  }
  for (const bin of bins) {
    if (bin.count === 0 || bin.accuracy === null || bin.meanConfidence === null) continue;
    const x0 = x(bin.from) + 1;
    const w = Math.max(1, x(bin.to) - x(bin.from) - 2);
    const label = `${bin.from.toFixed(1)}–${bin.to.toFixed(1)}: ${bin.count} question(s), mean confidence ${bin.meanConfidence.toFixed(3)}, right ${bin.accuracy.toFixed(3)}`;
    parts.push(`<rect x="${x0}" y="${y(bin.accuracy)}" width="${w}" height="${Math.max(0, y(0) - y(bin.accuracy))}" fill="#4477aa" fill-opacity="0.75"><title>${escapeHtml(label)}</title></rect>`);
    parts.push(`<circle cx="${x(bin.meanConfidence)}" cy="${y(bin.meanConfidence)}" r="3" fill="#ee6677"><title>${escapeHtml(label)}</title></circle>`);
    parts.push(`<text x="${x0 + w / 2}" y="${Math.max(top - 2, Math.min(y(bin.accuracy), y(bin.meanConfidence)) - 5)}" text-anchor="middle" font-size="9" font-family="system-ui, sans-serif" fill="#333">${bin.count}</text>`);
  }
  parts.push(`<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#888" stroke-dasharray="4 3"><title>calibrated: right as often as confident</title></line>`);
  parts.push(`<rect x="${x(0)}" y="${y(1)}" width="${plot}" height="${plot}" fill="none" stroke="#bbb"/>`);
  parts.push(`<text x="${x(0.5)}" y="${height - 8}" text-anchor="middle" ${FONT}>confidence</text>`);
  parts.push(`<text transform="translate(10 ${y(0.5)}) rotate(-90)" text-anchor="middle" ${FONT}>share right</text>`);
  parts.push('</svg>');
  return parts.join('');
}

/** One point of the gate curve, as {@link gateCurveChart} draws it. */
export interface GateChartPoint {
  readonly threshold: number;
  readonly abstentionRecall: number | null;
  readonly falseAbstentionRate: number | null;
}

/** Widths the gate chart's x axis (false abstention rate) can take: the smallest that shows the curve's bend. */
const GATE_X_RANGES = [0.05, 0.1, 0.25, 0.5, 1] as const;

/**
 * The abstention gate's trade-off as inline SVG: abstention recall against false abstention rate as the threshold
 * rises, a dot per threshold (labelled where there is room), the run's own abstentions as a red cross, and a ring at
 * the configured threshold when it is known. The x axis ends just past the point where recall stops rising (false
 * abstentions are rare and the interesting part sits near 0); points further right are cut off at the edge.
 */
export function gateCurveChart(
  points: readonly GateChartPoint[],
  options: { readonly title: string; readonly run?: { readonly abstentionRecall: number | null; readonly falseAbstentionRate: number | null }; readonly threshold?: number },
): string {
  const left = 42;
  const top = 28;
  const plot = 220;
  const width = left + plot + 40;
  const height = top + plot + 40;
  const drawn = points.filter((p): p is GateChartPoint & { abstentionRecall: number; falseAbstentionRate: number } => p.abstentionRecall !== null && p.falseAbstentionRate !== null);
  const bestRecall = Math.max(0, ...drawn.map((p) => p.abstentionRecall));
  const bend = drawn.find((p) => p.abstentionRecall >= bestRecall)?.falseAbstentionRate ?? 1;
  const needed = Math.max(bend, options.run?.falseAbstentionRate ?? 0);
  const xMax = GATE_X_RANGES.find((r) => r >= needed) ?? 1;
  const x = (v: number) => left + (v / xMax) * plot;
  const y = (v: number) => top + plot - v * plot;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(options.title)}">`);
  parts.push(`<defs><clipPath id="gate-plot"><rect x="${left - 6}" y="${top - 6}" width="${plot + 12}" height="${plot + 12}"/></clipPath></defs>`);
  parts.push(`<text x="4" y="14" ${FONT} font-weight="bold">${escapeHtml(options.title)}</text>`);
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line x1="${left}" x2="${left + plot}" y1="${y(tick)}" y2="${y(tick)}" stroke="#eee"/>`);
    parts.push(`<line x1="${x(tick * xMax)}" x2="${x(tick * xMax)}" y1="${y(0)}" y2="${y(1)}" stroke="#eee"/>`);
    parts.push(`<text x="${left - 4}" y="${y(tick) + 4}" text-anchor="end" ${FONT}>${tick.toFixed(2)}</text>`);
    parts.push(`<text x="${x(tick * xMax)}" y="${top + plot + 14}" text-anchor="middle" ${FONT}>${String(Number((tick * xMax).toFixed(4)))}</text>`);
  }
  parts.push(`<rect x="${left}" y="${y(1)}" width="${plot}" height="${plot}" fill="none" stroke="#bbb"/>`);
  parts.push('<g clip-path="url(#gate-plot)">');
  if (drawn.length > 1) parts.push(`<polyline fill="none" stroke="#4477aa" stroke-width="1.5" points="${drawn.map((p) => `${x(p.falseAbstentionRate).toFixed(1)},${y(p.abstentionRecall).toFixed(1)}`).join(' ')}"/>`);
  let lastLabel: { x: number; y: number } | null = null;
  for (const p of drawn) {
    const cx = x(p.falseAbstentionRate);
    const cy = y(p.abstentionRecall);
    const label = `threshold ${p.threshold.toFixed(2)}: abstention recall ${p.abstentionRecall.toFixed(3)}, false abstention ${p.falseAbstentionRate.toFixed(3)}`;
    parts.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="#4477aa"><title>${escapeHtml(label)}</title></circle>`);
    if (cx <= left + plot && (!lastLabel || Math.hypot(cx - lastLabel.x, cy - lastLabel.y) >= 24)) {
      parts.push(`<text x="${cx + 5}" y="${cy + 11 > top + plot ? cy - 5 : cy + 11}" font-size="9" font-family="system-ui, sans-serif" fill="#4477aa">${p.threshold.toFixed(2)}</text>`);
      lastLabel = { x: cx, y: cy };
    }
  }
  if (drawn.length === 0) {
    parts.push(`<text x="${left + plot / 2}" y="${y(0.5)}" text-anchor="middle" ${FONT} fill="#777">no curve: it needs both answerable</text>`);
    parts.push(`<text x="${left + plot / 2}" y="${y(0.5) + 14}" text-anchor="middle" ${FONT} fill="#777">and unanswerable questions</text>`);
  }
  const configured = options.threshold === undefined ? undefined : drawn.find((p) => Math.abs(p.threshold - options.threshold!) < 1e-9);
  if (configured) {
    parts.push(`<circle cx="${x(configured.falseAbstentionRate)}" cy="${y(configured.abstentionRecall)}" r="6" fill="none" stroke="#228833" stroke-width="2"><title>${escapeHtml(`configured threshold ${configured.threshold.toFixed(2)}`)}</title></circle>`);
  }
  const run = options.run;
  if (run && run.abstentionRecall !== null && run.falseAbstentionRate !== null) {
    const cx = x(run.falseAbstentionRate);
    const cy = y(run.abstentionRecall);
    const label = `this run: abstention recall ${run.abstentionRecall.toFixed(3)}, false abstention ${run.falseAbstentionRate.toFixed(3)}`;
    parts.push(`<path d="M${cx - 5} ${cy - 5}L${cx + 5} ${cy + 5}M${cx - 5} ${cy + 5}L${cx + 5} ${cy - 5}" stroke="#c62828" stroke-width="2"><title>${escapeHtml(label)}</title></path>`);
  }
  parts.push('</g>');
  parts.push(`<text x="${left + plot / 2}" y="${height - 8}" text-anchor="middle" ${FONT}>false abstention rate${xMax < 1 ? ` (0–${xMax} shown)` : ''}</text>`);
  parts.push(`<text transform="translate(10 ${y(0.5)}) rotate(-90)" text-anchor="middle" ${FONT}>abstention recall</text>`);
  parts.push('</svg>');
  return parts.join('');
}
