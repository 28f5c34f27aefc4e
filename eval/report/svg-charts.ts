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
