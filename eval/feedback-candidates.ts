/**
 * Readers' verdicts (the server's feedback log) as candidate eval items: the same shape as the lines of
 * `eval/datasets/*.jsonl` (`dataset.ts`), so a reviewed candidate is appended to a dataset as it is. A thumbs-up on
 * an answer becomes a ready item (its cited quotes are the evidence, their offsets the evidence spans, the short
 * answer shown the accepted answer; without one the quotes stand in, and the item asks to be cut down); a thumbs-up on "The documents don't say." a ready unanswerable item. A
 * thumbs-down cannot say what the right answer is, so its item has no accepted answers and fails the dataset's own
 * validation until a person writes them (or marks it unanswerable): an unreviewed item cannot slip into a dataset.
 */
import { createHash } from 'node:crypto';
import type { FeedbackEntry, FeedbackServedBy, FeedbackVerdict } from '../retrieval/feedback/feedback-entry.js';
import type { ChatTurn } from '../retrieval/types.js';
import { evalItemSchema } from './dataset.js';
import { classifyQuestion } from './question-type.js';

/** What the reviewer must do before a candidate can join a dataset, by case; null for a ready one. */
const REVIEW_TODO = {
  wrongAnswer:
    'the reader judged this answer wrong: write the accepted "answers" and the "evidence" sentence(s) from the documents, or set "answerable": false if they do not answer it',
  wrongAbstention:
    'the reader judged "The documents don\'t say." wrong: if the documents answer it, write the accepted "answers" and the "evidence" sentence(s); otherwise set "answerable": false',
  noEvidence: 'the reader judged this answer right, but it cites nothing: write the "evidence" sentence(s) from the documents',
  noShortAnswer:
    'the reader judged this answer right, but no short answer was shown, so "answers" holds the quoted sentences: cut them down to the answer phrase (its accepted variants)',
} as const;

/** A document span of the evidence, as the dataset's `evidenceSpans` holds it. */
interface Span {
  readonly docId: string;
  readonly start: number;
  readonly end: number;
}

/** One candidate eval item: a dataset line, plus what the reviewer needs to judge it. */
export interface FeedbackCandidate {
  /** `feedback-` and a hash of question and answer: the same exchange gets the same id on every export. */
  readonly id: string;
  readonly question: string;
  readonly answers: readonly string[];
  readonly evidence: readonly string[];
  readonly evidenceSpans?: readonly Span[];
  readonly type: string;
  readonly history?: readonly ChatTurn[];
  /** Set only where the verdict says it: false for a confirmed abstention. */
  readonly answerable?: boolean;
  /** The latest verdict on this question and answer. */
  readonly verdict: FeedbackVerdict;
  /** The latest note written with a verdict on it, or null. */
  readonly note: string | null;
  /** What a person must do before appending it to a dataset; null when it is ready as it is. */
  readonly review: string | null;
  /** The evidence behind the candidate: every verdict on it, and the answer as the reader saw it. */
  readonly feedback: {
    readonly votes: { readonly up: number; readonly down: number };
    readonly notes: readonly string[];
    readonly answer: string;
    readonly shortAnswer: string | null;
    readonly abstained: boolean;
    readonly citations: FeedbackEntry['citations'];
    readonly servedBy: FeedbackServedBy;
    readonly entryIds: readonly string[];
    readonly firstAt: string;
    readonly lastAt: string;
  };
}

/** What {@link feedbackCandidates} made. */
export interface FeedbackCandidates {
  /** One per distinct question and answer, in the order each first appeared in the log. */
  readonly candidates: readonly FeedbackCandidate[];
  /** Entries folded into an earlier candidate because they judged the same question and answer. */
  readonly duplicates: number;
}

/** The key entries are deduplicated by: the question as asked and the answer as given. */
function exchangeKey(entry: FeedbackEntry): string {
  return JSON.stringify([entry.question.trim(), entry.answer]);
}

function candidateId(key: string): string {
  return `feedback-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

/** The dataset fields a verdict supports, and what is left for the reviewer. */
function goldOf(latest: FeedbackEntry): Pick<FeedbackCandidate, 'answers' | 'evidence' | 'evidenceSpans' | 'answerable' | 'review'> {
  if (latest.verdict === 'down') return { answers: [], evidence: [], review: latest.abstained ? REVIEW_TODO.wrongAbstention : REVIEW_TODO.wrongAnswer };
  if (latest.abstained) return { answers: [], evidence: [], answerable: false, review: null };
  const cited = latest.citations.filter((c) => c.end > c.start && c.quote.trim() !== '');
  const evidence = [...new Set(cited.map((c) => c.quote))];
  const seen = new Set<string>();
  const evidenceSpans = cited.flatMap((c) => {
    const key = `${c.docId}\u0000${c.start}\u0000${c.end}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ docId: c.docId, start: c.start, end: c.end }];
  });
  // The short answer the reader saw is the answer they approved; without one, the quoted sentences are, to be cut down.
  const shown = latest.shortAnswer?.trim() ?? '';
  const answers = shown !== '' ? [shown] : evidence;
  if (evidence.length === 0) return { answers, evidence, review: REVIEW_TODO.noEvidence };
  return { answers, evidence, evidenceSpans, review: shown === '' ? REVIEW_TODO.noShortAnswer : null };
}

/**
 * Folds the log's entries into candidate eval items, one per question and answer; the latest verdict on an
 * exchange decides (a reader who changes their mind is believed), every vote and note is kept in `feedback`.
 * Linear in the number of entries.
 */
export function feedbackCandidates(entries: readonly FeedbackEntry[]): FeedbackCandidates {
  const groups = new Map<string, FeedbackEntry[]>();
  for (const entry of entries) {
    const key = exchangeKey(entry);
    const group = groups.get(key);
    if (group) group.push(entry);
    else groups.set(key, [entry]);
  }
  const candidates = [...groups].map(([key, group]): FeedbackCandidate => {
    const latest = group.at(-1)!;
    const notes = group.flatMap((e) => (e.note === null ? [] : [e.note]));
    const gold = goldOf(latest);
    return {
      id: candidateId(key),
      question: latest.question,
      ...gold,
      type: classifyQuestion(latest.question),
      ...(latest.history.length ? { history: latest.history } : {}),
      verdict: latest.verdict,
      note: notes.at(-1) ?? null,
      feedback: {
        votes: { up: group.filter((e) => e.verdict === 'up').length, down: group.filter((e) => e.verdict === 'down').length },
        notes,
        answer: latest.answer,
        shortAnswer: latest.shortAnswer,
        abstained: latest.abstained,
        citations: latest.citations,
        servedBy: latest.servedBy,
        entryIds: group.map((e) => e.id),
        firstAt: group[0]!.receivedAt,
        lastAt: latest.receivedAt,
      },
    };
  });
  return { candidates, duplicates: entries.length - candidates.length };
}

/** True when `candidate` is a valid dataset line as it is (what `review: null` promises). */
export function isDatasetReady(candidate: FeedbackCandidate): boolean {
  return candidate.review === null && evalItemSchema.safeParse(candidate).success;
}

/** The summary `npm run eval -- --from-feedback` prints: what was read, skipped, folded and made. */
export function formatFeedbackSummary(options: {
  readonly file: string;
  readonly entries: number;
  readonly skipped: readonly { readonly line: number; readonly reason: string }[];
  readonly made: FeedbackCandidates;
  readonly out: string | null;
}): string {
  const { file, entries, skipped, made, out } = options;
  const ready = made.candidates.filter(isDatasetReady);
  const unanswerable = ready.filter((c) => c.answerable === false).length;
  const toReview = made.candidates.length - ready.length;
  const lines = [`feedback: ${entries} verdict${entries === 1 ? '' : 's'} read from ${file}`];
  if (skipped.length) {
    lines.push(`skipped: ${skipped.length} line${skipped.length === 1 ? '' : 's'} that ${skipped.length === 1 ? 'is' : 'are'} not a feedback entry (the rest were read):`);
    for (const s of skipped.slice(0, 5)) lines.push(`  line ${s.line}: ${s.reason}`);
    if (skipped.length > 5) lines.push(`  … and ${skipped.length - 5} more`);
  }
  lines.push(
    `candidates: ${made.candidates.length}${made.duplicates ? ` (${made.duplicates} repeated verdict${made.duplicates === 1 ? '' : 's'} on the same question and answer folded in)` : ''}`,
    `  ready: ${ready.length} (${ready.length - unanswerable} answered, ${unanswerable} unanswerable)`,
    `  to review: ${toReview} (each says what to do in its "review" field)`,
  );
  if (out !== null) lines.push(`written to ${out}: review the items, then append them to a dataset (e.g. eval/datasets/seed-qa.jsonl)`);
  return `${lines.join('\n')}\n`;
}
