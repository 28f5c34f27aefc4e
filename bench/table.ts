/**
 * One table, two renderings: aligned text for the terminal and GitHub Markdown for RESULTS.md.
 */

/** A titled table; every row has one cell per header. */
export interface Table {
  readonly title: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Lines printed under the table (what the columns mean, caveats). */
  readonly notes?: readonly string[];
}

const numeric = (cell: string): boolean => /^[-–×≈<>~]?\s?[\d.,]+/.test(cell) || cell === '–';

/** Aligned columns: text left, numbers right. */
export function renderText(table: Table): string {
  const widths = table.headers.map((h, i) => Math.max(h.length, ...table.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (numeric(cell) && i > 0 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [table.title, line(table.headers), widths.map((w) => '-'.repeat(w)).join('  '), ...table.rows.map(line)];
  for (const note of table.notes ?? []) out.push(`  ${note}`);
  return out.join('\n');
}

/** A GitHub Markdown table under a `###` heading. */
export function renderMarkdown(table: Table): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  const out = [`### ${table.title}`, '', `| ${table.headers.map(escape).join(' | ')} |`, `| ${table.headers.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`];
  for (const row of table.rows) out.push(`| ${row.map(escape).join(' | ')} |`);
  if (table.notes?.length) out.push('', ...table.notes.map((n) => `- ${n}`));
  return out.join('\n');
}
