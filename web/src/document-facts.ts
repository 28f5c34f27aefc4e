/**
 * The facts the library lists for a document (type, pages, chunks, size, when added, length), as short labels. Pure
 * functions, so the wording is tested without a browser.
 */
import type { DocumentSummary } from '../../retrieval/pipeline.js';

/** One fact of a document's line: `name` for styling and tests, `text` as shown, `datetime` for a `<time>`. */
export interface DocumentFact {
  readonly name: 'type' | 'pages' | 'chunks' | 'size' | 'added' | 'length' | 'id';
  readonly text: string;
  /** The machine-readable time of an `added` fact (ISO 8601). */
  readonly datetime?: string;
}

/** The document kind shown for an id, from its extension. */
export function typeOf(id: string): string {
  const dot = id.lastIndexOf('.');
  return dot > id.lastIndexOf('/') ? id.slice(dot + 1).toUpperCase() : '—';
}

/** Binary units, as the README's limits are given (a 20 MiB file limit reads the same in the list). */
const BYTE_UNITS = ['KiB', 'MiB', 'GiB', 'TiB'] as const;

/**
 * A file size for people: exact bytes under 1 KiB, then one decimal below 10 of a unit and whole units above
 * (`812 bytes`, `4.2 KiB`, `38 KiB`, `1.5 MiB`).
 */
export function byteSize(bytes: number): string {
  if (bytes < 1024) return `${bytes.toLocaleString('en')} ${bytes === 1 ? 'byte' : 'bytes'}`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  // Rounded first, so 1023.96 KiB reads 1 MiB rather than "1,024 KiB".
  if (Math.round(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = value < 9.95 ? value.toFixed(1) : Math.round(value).toLocaleString('en');
  return `${shown} ${BYTE_UNITS[unit]}`;
}

/** `added 4 Dec 2026`, in the reader's time zone; null for a time that does not parse. */
export function addedLabel(iso: string): string | null {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return null;
  return `added ${time.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' })}`;
}

/** The facts of one document, in the order the library shows them; facts it does not know are left out. */
export function documentFacts(document_: DocumentSummary): DocumentFact[] {
  const facts: DocumentFact[] = [{ name: 'type', text: typeOf(document_.id) }];
  if (document_.pages !== null) facts.push({ name: 'pages', text: `${document_.pages.toLocaleString('en')} ${document_.pages === 1 ? 'page' : 'pages'}` });
  facts.push({ name: 'chunks', text: `${document_.chunks.toLocaleString('en')} ${document_.chunks === 1 ? 'chunk' : 'chunks'}` });
  if (document_.bytes !== null) facts.push({ name: 'size', text: byteSize(document_.bytes) });
  const added = document_.addedAt === null ? null : addedLabel(document_.addedAt);
  if (added !== null) facts.push({ name: 'added', text: added, datetime: document_.addedAt! });
  facts.push({ name: 'length', text: `${document_.length.toLocaleString('en')} characters` });
  facts.push({ name: 'id', text: document_.id });
  return facts;
}
