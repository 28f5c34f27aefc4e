import { createRequire } from 'node:module';
import type { SelectorDefinition } from 'html-to-text';

/**
 * Elements a reader never sees on the page. Their content must not become document text:
 * a citation quoting `alert(1)` from a `<script>` would point at nothing the user can check.
 */
const INVISIBLE: readonly string[] = [
  'head',
  'script',
  'style',
  'noscript',
  'template',
  'iframe',
  'object',
  'embed',
  'canvas',
  'svg',
  // Alt text and image URLs are not visible text; html-to-text would print `[alt] [src]`.
  'img',
  '[hidden]',
  '[style*="display:none"]',
  '[style*="display: none"]',
];

const HEADING_TAGS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'] as const;

/**
 * Block-level elements html-to-text renders inline by default: without a line break between them,
 * neighbouring table cells or definition terms run together ("Headcell") and become unsearchable.
 */
const EXTRA_BLOCKS = ['tr', 'td', 'th', 'caption', 'dl', 'dt', 'dd', 'figure', 'figcaption', 'address', 'details', 'summary', 'fieldset', 'legend'] as const;

const SELECTORS: SelectorDefinition[] = [
  // Link URLs in brackets are not on the page and would pollute quotes.
  { selector: 'a', options: { ignoreHref: true } },
  // Keep headings as written: an uppercased heading cannot be quoted back to the source.
  ...HEADING_TAGS.map((selector) => ({ selector, options: { uppercase: false } })),
  { selector: 'table', options: { uppercaseHeaderCells: false } },
  ...EXTRA_BLOCKS.map((selector) => ({ selector, format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } })),
  ...INVISIBLE.map((selector) => ({ selector, format: 'skip' })),
];

/**
 * html-to-text truncates inputs above 16 MiB by default; the loader enforces its own size limit,
 * so the converter must never silently drop the end of a document.
 */
const LIMITS = { maxInputLength: Number.MAX_SAFE_INTEGER } as const;

type Converter = (html: string) => string;

/**
 * The three converters, compiled on first use: html-to-text and the parsers under it cost every process that loads
 * the corpus module ~25 ms to load, and most corpora have no HTML.
 */
let converters: { readonly text: Converter; readonly title: Converter; readonly h1: Converter } | null = null;
function htmlConverters(): NonNullable<typeof converters> {
  if (converters) return converters;
  const { compile } = createRequire(import.meta.url)('html-to-text') as typeof import('html-to-text');
  const base = { wordwrap: false, selectors: SELECTORS, limits: LIMITS } as const;
  converters = {
    text: compile(base),
    title: compile({ ...base, baseElements: { selectors: ['title'], returnDomByDefault: false } }),
    h1: compile({ ...base, baseElements: { selectors: ['h1'], returnDomByDefault: false } }),
  };
  return converters;
}

/** What a reader sees of an HTML page, and the page's own name for itself. */
export interface VisibleHtml {
  /** Visible text: the string every offset of an HTML document indexes into. */
  readonly text: string;
  /** `<title>`, else the first `<h1>`; `null` when the page has neither (callers fall back to the text). */
  readonly title: string | null;
}

/**
 * Reduces HTML to the text a reader sees: no scripts, styles, `<head>`, images or hidden elements,
 * no link URLs, headings in their original case, no word wrapping (so lines are the page's blocks).
 * Pure and deterministic: the same HTML always yields the same text, so offsets stay valid.
 * @throws RangeError when the markup is nested too deeply for html-to-text's recursive walk.
 */
export function htmlToVisibleText(html: string): VisibleHtml {
  const convert = htmlConverters();
  const text = convert.text(html);
  const title = firstLine(convert.title(html)) ?? firstLine(convert.h1(html));
  return { text, title };
}

function firstLine(text: string): string | null {
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed !== '') return trimmed;
  }
  return null;
}
