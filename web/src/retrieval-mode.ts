/**
 * The retrieval mode in plain words, for the badge and the first-load panel: what kind of search answers questions,
 * why, and what would change it. The server's `lexicalReason` is written for operators and may hold file-system
 * paths; known reasons get a sentence of their own and anything else is shown without its paths.
 */
import { EMBEDDINGS_DISABLED_REASON } from '../../retrieval/embed/lexical-reasons.js';
import type { HealthResponse } from '../../server/protocol.js';

/** A piece of the explanation: words, or a command to type (shown as code). */
export type ExplanationPart = string | { readonly command: string };

/**
 * How the mode should look: `hybrid` (search by meaning too), `choice` (keyword search because the server was set up
 * that way: nothing is wrong) or `fallback` (keyword search because something is missing: shown as a warning).
 */
export type ModeTone = 'hybrid' | 'choice' | 'fallback';

/** The mode as the page shows it. */
export interface ModeDescription {
  /** The badge's words, e.g. `Keyword search`. */
  readonly label: string;
  readonly tone: ModeTone;
  /** One or two sentences: the mode, the reason and what to do. */
  readonly explanation: readonly ExplanationPart[];
}

/** Meaning-based search is on the way once the operator does one thing: the reasons the page knows, as data. */
const KNOWN_REASONS: readonly { readonly test: (reason: string) => boolean; readonly tone: ModeTone; readonly explanation: readonly ExplanationPart[] }[] = [
  {
    test: (reason) => reason === EMBEDDINGS_DISABLED_REASON,
    tone: 'choice',
    explanation: ['Keyword search: this server is set to search without the embedding model (DISABLE_EMBEDDINGS). Unset it and restart for meaning-based search too.'],
  },
  {
    test: (reason) => /^embedding model \S+ not available: .*(?:not found in|remote downloads are off|fetching it failed)/s.test(reason),
    tone: 'fallback',
    explanation: ['Keyword search: the embedding model is not installed. Run ', { command: 'npm run models -- fetch' }, ' and restart for meaning-based search.'],
  },
  {
    test: (reason) => /was built without vectors|has no vectors/.test(reason),
    tone: 'fallback',
    explanation: ['Keyword search: the index was built without the embedding model. Run ', { command: 'npm run ingest' }, ' and restart for meaning-based search.'],
  },
];

/**
 * Absolute paths (POSIX `/a/b`, `~/a`, Windows `C:\a`) in `text`, with what leads into them: they name folders of the
 * server, which a reader of the page can neither see nor use.
 */
const ABSOLUTE_PATH = /(?<![\w/.~-])(?:~?\/|[a-z]:\\)[^\s'"`()[\]{}<>,;]+/gi;

/** `text` with every absolute path replaced by "a folder on the server". */
export function withoutServerPaths(text: string): string {
  return text.replace(ABSOLUTE_PATH, 'a folder on the server');
}

/** The retrieval mode of `health` in plain words. */
export function describeRetrievalMode(health: Pick<HealthResponse, 'mode' | 'lexicalReason' | 'embedder'>): ModeDescription {
  if (health.mode === 'hybrid') {
    return { label: 'Meaning-based search', tone: 'hybrid', explanation: [`Meaning-based search: keyword matches and the embedding model${health.embedder ? ` ${health.embedder}` : ''}, combined.`] };
  }
  const reason = health.lexicalReason ?? '';
  const known = KNOWN_REASONS.find((r) => r.test(reason));
  if (known) return { label: 'Keyword search', tone: known.tone, explanation: known.explanation };
  const detail = withoutServerPaths(reason).trim().replace(/[.;:]$/, '');
  return { label: 'Keyword search', tone: 'fallback', explanation: [detail ? `Keyword search only: ${detail}.` : 'Keyword search only: the embedding model is not in use.'] };
}

/** The explanation as one line of plain text (commands in backticks), for a tooltip or a log. */
export function explanationText(parts: readonly ExplanationPart[]): string {
  return parts.map((p) => (typeof p === 'string' ? p : `\`${p.command}\``)).join('');
}
