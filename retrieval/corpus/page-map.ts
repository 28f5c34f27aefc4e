import type { Citation, DocumentPage, TextBox } from '../types.js';

/** A rectangle on a page, in PDF points from its top left corner (y grows downwards). */
export interface PageRectangle {
  /** 1-based page number. */
  readonly page: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * The pages a span `[start, end)` of a PDF's text touches, in order: every page whose text shares a character with
 * it. A span that touches no page's text (it lies in the separator between two pages, or is empty) belongs to the
 * page it starts after. Binary search over the pages, which are in text order and do not overlap.
 */
export function pagesOfSpan(pages: readonly DocumentPage[], start: number, end: number): number[] {
  if (pages.length === 0) return [];
  // The first page whose text ends after `start`.
  let low = 0;
  let high = pages.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (pages[mid]!.end <= start) low = mid + 1;
    else high = mid;
  }
  const touched: number[] = [];
  for (let i = low; i < pages.length && pages[i]!.start < end; i++) touched.push(pages[i]!.number);
  if (touched.length > 0) return touched;
  const inside = low < pages.length && pages[low]!.start <= start;
  return [pages[inside ? low : Math.max(0, low - 1)]!.number];
}

/**
 * The citation with `page` (where its quote starts) and `pages` (all it touches) when its document has pages;
 * unchanged otherwise. The offsets and quote are left as they are, so `quote === text.slice(start, end)` still holds.
 */
export function withPages<C extends Citation>(citation: C, pages: readonly DocumentPage[] | undefined): C {
  if (!pages || pages.length === 0) return citation;
  const touched = pagesOfSpan(pages, citation.start, citation.end);
  return { ...citation, page: touched[0]!, pages: touched };
}

/**
 * Where a span `[start, end)` of a PDF's text is drawn: one rectangle per text item it covers, cut to the covered
 * part of an item it covers only partly (by the share of the item's characters: exact for the item's ends, an
 * estimate inside it, since glyph widths are not kept). Separators added between items (spaces, line and page
 * breaks) have no rectangle.
 */
export function rectanglesOfSpan(pages: readonly DocumentPage[], start: number, end: number): PageRectangle[] {
  const rectangles: PageRectangle[] = [];
  for (const number of pagesOfSpan(pages, start, end)) {
    const page = pages.find((p) => p.number === number);
    if (!page) continue;
    for (let i = firstBoxEndingAfter(page.boxes, start); i < page.boxes.length; i++) {
      const box = page.boxes[i]!;
      const [boxStart, boxEnd, x, y, width, height] = box;
      if (boxStart >= end) break;
      const from = Math.max(start, boxStart);
      const to = Math.min(end, boxEnd);
      if (to <= from) continue;
      const length = boxEnd - boxStart;
      const left = x + (width * (from - boxStart)) / length;
      const right = x + (width * (to - boxStart)) / length;
      rectangles.push({ page: number, x: left, y, width: right - left, height });
    }
  }
  return rectangles;
}

function firstBoxEndingAfter(boxes: readonly TextBox[], offset: number): number {
  let low = 0;
  let high = boxes.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (boxes[mid]![1] <= offset) low = mid + 1;
    else high = mid;
  }
  return low;
}
