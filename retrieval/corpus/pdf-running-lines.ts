/** A run of text on a page, as far as finding running lines needs it: PDF points from the top left, y downwards. */
export interface RunOnPage {
  readonly text: string;
  readonly x: number;
  /** Top of the glyphs. */
  readonly y: number;
  readonly height: number;
}

/** When a line at a page's edge is a running header or footer, as data. */
export const RUNNING_LINE_RULES = Object.freeze({
  /** It is at the same place on at least this share of the pages that have other text too… */
  minShare: 0.5,
  /** …and on at least this many of them. */
  minPages: 2,
  /** "The same place": its top within this many points of the others'. */
  tolerancePoints: 2,
  /**
   * A line set this many times larger than the body text (the size most characters have) is a heading, never a
   * running line: "Chapter 3" at the top of page 3 of a one-chapter-a-page PDF stays. As the layout's `headingScale`.
   */
  headingScale: 1.15,
});

interface EdgeLine<R> {
  /** 1-based page number. */
  readonly page: number;
  readonly top: number;
  readonly text: string;
  readonly numbers: readonly number[];
  readonly runs: readonly R[];
}

const DIGITS = /\d+/g;

/**
 * The runs of running headers and footers: the top or bottom line of a page that recurs at the same place, with the
 * same text, on most pages (`RUNNING_LINE_RULES`). Its numbers may differ from page to page only as a page number
 * does, one of them going up with the page ("3", "Page 3 of 12", "Report — 3"): a table's last row at the foot of
 * every page, with other figures on each, is not one. A page whose text is all one line is never changed, so a PDF of
 * identical one-line pages keeps its text, a document whose every line would go keeps them all, and a line set as a
 * heading is never one. Lines are told by their tops
 * within `sameLine` font heights, as the layout does. Work is the runs' sorting plus linear in the pages.
 */
export function runningLines<R extends RunOnPage>(pages: readonly (readonly R[])[], sameLine: number): Set<R> {
  const groups = new Map<string, EdgeLine<R>[]>();
  const tallest = RUNNING_LINE_RULES.headingScale * bodyHeight(pages);
  let pagesWithText = 0;
  pages.forEach((runs, index) => {
    const edges = edgeLines(runs, sameLine);
    if (!edges) return;
    pagesWithText++;
    for (const [edge, line] of [['top', edges.top] as const, ['bottom', edges.bottom] as const]) {
      if (line.some((r) => r.height >= tallest)) continue;
      const sorted = [...line].sort((a, b) => a.x - b.x);
      const text = sorted.map((r) => r.text).join(' ');
      const key = `${edge}\u0000${text.replace(DIGITS, '#')}`;
      const entry = { page: index + 1, top: line.reduce((y, r) => Math.min(y, r.y), Number.POSITIVE_INFINITY), text, numbers: (text.match(DIGITS) ?? []).map(Number), runs: line };
      const group = groups.get(key);
      if (group) group.push(entry);
      else groups.set(key, [entry]);
    }
  });
  const needed = Math.max(RUNNING_LINE_RULES.minPages, Math.ceil(RUNNING_LINE_RULES.minShare * pagesWithText));
  const running = new Set<R>();
  for (const group of groups.values()) {
    if (group.length < needed) continue;
    group.sort((a, b) => a.top - b.top);
    // Clusters of lines at the same place: each within the tolerance of the cluster's first.
    let first = 0;
    for (let i = 1; i <= group.length; i++) {
      if (i < group.length && group[i]!.top - group[first]!.top <= RUNNING_LINE_RULES.tolerancePoints) continue;
      const cluster = group.slice(first, i);
      if (cluster.length >= needed && (cluster.every((e) => e.text === cluster[0]!.text) || numbersFollowPages(cluster))) {
        for (const entry of cluster) for (const run of entry.runs) running.add(run);
      }
      first = i;
    }
  }
  // Lines that are all a document holds are its text, however they repeat (the same two lines on every page).
  const runs = pages.reduce((n, page) => n + page.length, 0);
  return running.size === runs ? new Set() : running;
}

/** The font height most characters have, over all pages. */
function bodyHeight(pages: readonly (readonly RunOnPage[])[]): number {
  const weighted = pages.flatMap((runs) => runs.map((r) => [r.height, r.text.length] as const)).sort((a, b) => a[0] - b[0]);
  const half = weighted.reduce((n, [, chars]) => n + chars, 0) / 2;
  let seen = 0;
  for (const [height, chars] of weighted) {
    seen += chars;
    if (seen >= half) return height;
  }
  return Number.POSITIVE_INFINITY;
}

/** Whether one of the lines' numbers is the page number plus the same offset on every page. */
function numbersFollowPages(lines: readonly EdgeLine<unknown>[]): boolean {
  const count = lines[0]!.numbers.length;
  for (let i = 0; i < count; i++) {
    const offset = lines[0]!.numbers[i]! - lines[0]!.page;
    if (lines.every((line) => line.numbers[i]! - line.page === offset)) return true;
  }
  return false;
}

/** A page's top and bottom lines (runs whose tops are within `sameLine` heights of the first's), or null if it has one line or none. */
function edgeLines<R extends RunOnPage>(runs: readonly R[], sameLine: number): { top: R[]; bottom: R[] } | null {
  if (runs.length < 2) return null;
  const sorted = [...runs].sort((a, b) => a.y - b.y);
  const highest = sorted[0]!;
  const lowest = sorted.at(-1)!;
  const top = sorted.filter((r) => r.y - highest.y < sameLine * Math.max(r.height, highest.height));
  const bottom = sorted.filter((r) => lowest.y - r.y < sameLine * Math.max(r.height, lowest.height));
  if (top.length === sorted.length || bottom.includes(top[0]!)) return null;
  return { top, bottom };
}
