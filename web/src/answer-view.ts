import { ABSTENTION_TEXT } from '../../prompts/grounded-answer-prompt.js';
import { citedSentenceText } from '../../retrieval/generate/cited-sentence-text.js';
import type { AskResult, Citation, GeneratedSentence } from '../../retrieval/types.js';
import { abstentionSentence } from './abstention-reasons.js';
import { confidenceLabel, leadingShortAnswer, searchedFor } from './answer-confidence.js';
import { StreamingAnswerSplitter, splitAnswer, type AnswerSegment } from './answer-text.js';
import type { CitationPreview } from './citation-preview.js';
import { copyButton } from './copy-button.js';
import type { DocumentTitles } from './document-titles.js';
import { el } from './dom.js';
import type { CitationRecheck } from './recheck-citations.js';
import type { SourceTarget } from './source-panel.js';

type Passage = AskResult['passages'][number];

/** Opens a span in the source panel; `opener` gets focus back when it closes; `current` are marked as shown. */
export type OpenSource = (target: SourceTarget, opener: HTMLElement, current: readonly HTMLElement[]) => void;

/** What an answer needs to show its citations. */
export interface AnswerViewOptions {
  readonly openSource: OpenSource;
  /** Names documents by title in the sources, the passages and the citations' labels. */
  readonly titles: DocumentTitles;
  /** Shows a citation's quote, title and verdict while its `[n]` is hovered or focused. */
  readonly preview: CitationPreview;
}

/** Passages offered when the answer abstains. */
const NEAREST_ON_ABSTAIN = 3;
/** Characters of a passage shown in the list. */
const SNIPPET_CHARS = 280;

/** `text` with its whitespace runs as single spaces, for comparing what reads the same. */
function flatten(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function snippet(text: string): string {
  const flat = flatten(text);
  return flat.length > SNIPPET_CHARS ? `${flat.slice(0, SNIPPET_CHARS).trimEnd()}…` : flat;
}

/** The user's question as a message. */
export function renderQuestion(question: string): HTMLLIElement {
  return el('li', { className: 'message user' }, el('p', { className: 'speaker sr-only' }, 'You asked:'), el('p', { className: 'question-text' }, question));
}

/**
 * One answer as it streams in: tokens become text, markers become citation buttons, and the finished
 * result adds the short answer (first and emphasised, only when it is confident; otherwise the quoted
 * sentence leads and the unconfident phrase is not shown), the confidence, the reason for an abstention,
 * the cited sources and the retrieved passages.
 */
export class AnswerView {
  /** The `<li>` to put in the message list. */
  readonly element: HTMLLIElement;
  private readonly speaker: HTMLElement;
  private readonly body: HTMLElement;
  private readonly status: HTMLElement;
  private readonly extras: HTMLElement;
  private readonly splitter = new StreamingAnswerSplitter();
  private readonly citations = new Map<number, Citation>();
  private readonly markers: HTMLButtonElement[] = [];
  /** The `[n]` buttons of the sources list. */
  private readonly sourceButtons: HTMLButtonElement[] = [];
  private readonly openSource: OpenSource;
  private readonly titles: DocumentTitles;
  private readonly preview: CitationPreview;
  private streamedText = '';
  private passages: readonly Passage[] = [];
  /** A language model's text not yet judged, shown muted until its sentence's verdict replaces it. */
  private readonly draft: HTMLElement;
  private draftText = '';

  constructor(options: AnswerViewOptions) {
    this.openSource = options.openSource;
    this.titles = options.titles;
    this.preview = options.preview;
    this.speaker = el('p', { className: 'speaker sr-only' }, 'Verbatim answered:');
    this.body = el('p', { className: 'answer-text', attrs: { 'aria-live': 'polite', 'aria-atomic': 'false' } });
    this.status = el('p', { className: 'answer-status', attrs: { role: 'status' } }, 'Searching the documents…');
    this.extras = el('div', { className: 'answer-extras' });
    this.draft = el('p', { className: 'answer-draft', attrs: { 'aria-hidden': 'true' } });
    this.draft.hidden = true;
    this.element = el('li', { className: 'message assistant', attrs: { 'aria-busy': 'true' } }, this.speaker, this.body, this.draft, this.status, this.extras);
  }

  /** Retrieval is done: the answer is being written from these passages. */
  setPassages(passages: readonly Passage[]): void {
    this.passages = passages;
    this.status.textContent = `Found ${passages.length} passage${passages.length === 1 ? '' : 's'}; writing the answer…`;
  }

  /** Appends a streamed piece of the answer; a `draft` piece (a model's unchecked text) waits for its verdict. */
  appendToken(text: string, draft = false): void {
    if (draft) {
      this.draftText += text;
      this.draft.textContent = this.draftText.trimStart();
      this.draft.hidden = false;
      this.status.textContent = 'Writing; each sentence is checked against its source as it is finished…';
      return;
    }
    this.streamedText += text;
    this.appendSegments(this.splitter.push(text));
  }

  /** A generated sentence was judged: it leaves the draft and joins the answer, verified or visibly not. */
  addVerification(sentence: GeneratedSentence): void {
    const at = this.draftText.indexOf(sentence.written);
    if (at >= 0) this.draftText = this.draftText.slice(at + sentence.written.length);
    this.draft.textContent = this.draftText.trimStart();
    this.draft.hidden = this.draft.textContent === '';
    for (const citation of sentence.citations) this.citations.set(citation.n, citation);
    this.body.append(this.generatedSentence(sentence), ' ');
  }

  /** A marker's citation is known: its button becomes openable. */
  addCitation(citation: Citation): void {
    this.citations.set(citation.n, citation);
    for (const button of this.markers) if (Number(button.dataset.n) === citation.n) this.describeMarker(button);
  }

  /** The answer is complete. */
  finish(result: AskResult): void {
    this.appendSegments(this.splitter.flush());
    for (const citation of result.citations) this.citations.set(citation.n, citation);
    this.passages = result.passages;
    this.draft.remove();
    const generation = result.generation;
    if (generation && !generation.fallback && !result.abstained) {
      // Rebuilt from the verdicts, so the answer reads the same however its frames arrived.
      this.body.replaceChildren();
      this.markers.length = 0;
      for (const sentence of generation.sentences) this.body.append(this.generatedSentence(sentence), ' ');
    } else if (this.streamedText !== result.answer) {
      this.body.replaceChildren();
      this.markers.length = 0;
      this.appendSegments(splitAnswer(result.answer));
    }
    for (const button of this.markers) this.describeMarker(button);
    this.preview.refresh();
    this.element.setAttribute('aria-busy', 'false');
    this.status.textContent = '';
    this.status.hidden = true;
    if (generation?.fallback) {
      this.body.before(el('p', { className: 'generation-note', attrs: { 'data-code': generation.fallback.code } }, `The language model's answer is not shown: ${generation.fallback.message.replace(/\.$/, '')}. These are the documents' own sentences.`));
    }

    if (result.abstained) {
      this.element.classList.add('abstained');
      this.body.replaceChildren(el('strong', {}, ABSTENTION_TEXT));
      this.markers.length = 0;
      const reason = abstentionSentence(result.abstentionReason);
      if (reason) this.body.after(el('p', { className: 'abstention-reason', attrs: { 'data-reason': result.abstentionReason ?? '' } }, reason));
      this.status.before(this.metaLine(result));
      const nearest = result.passages.slice(0, NEAREST_ON_ABSTAIN);
      if (nearest.length) {
        this.extras.append(el('p', { className: 'nearest-intro' }, 'No passage answers this directly. These came closest:'), this.passageList(nearest, 'Nearest passage'));
      }
      return;
    }
    // An unconfident phrase is left out entirely: in bold above the sentence it reads as the answer, and it was
    // wrong often enough ("a turning point" for "Who is Ian McCartney?") to mislead more than it helps.
    const short = leadingShortAnswer(result);
    if (short !== null) this.speaker.after(el('p', { className: 'short-answer' }, el('span', { className: 'sr-only' }, 'Short answer: '), el('strong', {}, short)));
    this.status.before(this.metaLine(result));
    if (result.citations.length) this.extras.append(this.sourceList(result.citations));
    if (result.passages.length) {
      const details = el('details', { className: 'passages' }, el('summary', {}, `Retrieved passages (${result.passages.length})`), this.passageList(result.passages, 'Passage'));
      this.extras.append(details);
    }
  }

  /** The ask ended without a result (stopped, failed or the connection dropped); a failure offers `retry`. */
  fail(code: string, message: string, retry?: () => void): void {
    this.appendSegments(this.splitter.flush());
    // Unchecked model text is not left behind as if it were part of an answer.
    this.draft.remove();
    this.element.setAttribute('aria-busy', 'false');
    this.element.classList.add(code === 'ABORTED' ? 'stopped' : 'failed');
    this.status.textContent = code === 'ABORTED' ? 'Stopped.' : `Could not answer: ${message}`;
    if (code !== 'ABORTED') this.status.setAttribute('role', 'alert');
    if (code !== 'ABORTED' && retry) {
      const button = el('button', { className: 'retry secondary', attrs: { type: 'button' } }, 'Retry');
      button.addEventListener('click', retry);
      this.status.after(button);
    }
    if (this.passages.length && code === 'ABORTED') {
      this.extras.append(el('details', { className: 'passages' }, el('summary', {}, `Retrieved passages (${this.passages.length})`), this.passageList(this.passages, 'Passage')));
    }
  }

  /**
   * A saved answer's citations, checked again against the documents as they are now: each source says whether its
   * quote is still there, and when a document changed since, the answer says so above its text and every marker of
   * a changed citation is marked, so nothing reads as verified that no longer is.
   */
  showRecheck(checks: readonly CitationRecheck[]): void {
    const sources = this.extras.querySelector('.sources');
    for (const check of checks) {
      const { n } = check.citation;
      const icon = check.state === 'verified' ? '✓' : '!';
      const line = el('p', { className: `recheck ${check.state}`, attrs: { 'data-state': check.state } }, el('span', { className: 'check-icon', attrs: { 'aria-hidden': 'true' } }, icon), ' ', check.message);
      const item = sources?.querySelector(`li[data-n~="${n}"]`);
      item?.querySelector('.recheck')?.remove();
      (item?.querySelector('q') ?? item?.querySelector('.source-where'))?.after(line);
      if (check.state === 'verified') continue;
      for (const button of this.markers) {
        if (Number(button.dataset.n) !== n) continue;
        button.classList.add('changed');
        button.setAttribute('aria-label', `${button.getAttribute('aria-label') ?? `Citation ${n}`}; ${check.state === 'changed' ? 'document changed since this answer' : 'could not be checked'}`);
      }
    }
    this.element.querySelector('.changed-note')?.remove();
    const changed = checks.filter((c) => c.state === 'changed');
    if (changed.length > 0) {
      const docs = [...new Set(changed.map((c) => c.citation.docId))];
      const text = (what: string) => `${what} since this answer: the marked citations no longer match it. Ask again for an answer from the current text.`;
      const message = el('span', {}, text(`${docs.length} documents changed`));
      if (docs.length === 1) this.withTitle(docs[0]!, (title) => (message.textContent = text(`The document ${title} changed`)));
      // First, above even the short answer: everything below it is read knowing this.
      this.speaker.after(el('p', { className: 'changed-note', attrs: { role: 'note' } }, el('span', { className: 'check-icon', attrs: { 'aria-hidden': 'true' } }, '!'), ' ', message));
    }
  }

  /** The muted line under the answer: its confidence, and what was searched for when that was not the question. */
  private metaLine(result: AskResult): HTMLElement {
    const { text, explanation } = confidenceLabel(result);
    const confidence = el('span', { className: 'confidence', attrs: { title: explanation } }, text, el('span', { className: 'sr-only' }, `. ${explanation}`));
    const query = searchedFor(result);
    return el('p', { className: 'answer-meta' }, confidence, query !== null && el('span', { className: 'searched-for' }, `Searched for: ${query}`));
  }

  /**
   * A generated sentence: a verified one with its citation buttons; an unsupported or uncited one marked "not
   * verified" with the reason, never with a citation (the page's "Hide unverified sentences" setting hides them).
   */
  private generatedSentence(sentence: GeneratedSentence): HTMLElement {
    const span = el('span', { className: `generated ${sentence.status}`, attrs: { 'data-status': sentence.status, 'data-index': String(sentence.index) } });
    if (sentence.status === 'verified') {
      this.appendSegments(splitAnswer(citedSentenceText(sentence)), span);
      if (sentence.attributed) {
        const named = sentence.cited.length ? `the model cited passage ${sentence.cited.map((n) => `[${n}]`).join('')}, which does not hold it` : 'the model cited no passage';
        span.title = `Source found by Verbatim: ${named}.`;
      }
      return span;
    }
    const why = sentence.reason ?? 'it could not be checked against the sources';
    span.append(sentence.text, ' ', el('span', { className: 'unverified-badge', attrs: { title: `Not verified: ${why}` } }, 'not verified', el('span', { className: 'sr-only' }, `: ${why}`)));
    return span;
  }

  private appendSegments(segments: readonly AnswerSegment[], into: HTMLElement = this.body): void {
    for (const segment of segments) {
      if (segment.kind === 'text') {
        into.append(segment.text);
        continue;
      }
      const button = el('button', { className: 'cite', attrs: { type: 'button', 'data-n': String(segment.n) } }, segment.raw);
      button.addEventListener('click', () => {
        const citation = this.citations.get(segment.n);
        if (citation) this.openSource({ ...citation, label: `Citation [${citation.n}]` }, button, this.buttonsFor(citation.n));
      });
      this.preview.attach(button, () => this.citations.get(segment.n));
      this.markers.push(button);
      this.describeMarker(button);
      into.append(button);
    }
  }

  private describeMarker(button: HTMLButtonElement): void {
    const n = Number(button.dataset.n);
    const citation = this.citations.get(n);
    button.setAttribute('aria-disabled', citation ? 'false' : 'true');
    if (!citation) button.setAttribute('aria-label', `Citation ${n} (source loading)`);
    else this.withTitle(citation.docId, (title) => button.setAttribute('aria-label', `Citation ${n}: open ${title}`));
  }

  /** Calls `apply` with the title of `docId`: at once when the list is in, else with the id now and the title when it comes. */
  private withTitle(docId: string, apply: (title: string) => void): void {
    const known = this.titles.peek(docId);
    apply(known ?? docId);
    if (known === undefined) void this.titles.titleOf(docId).then(apply);
  }

  /** Every button of this answer that opens citation `n`: its markers in the text and in the sources list. */
  private buttonsFor(n: number): HTMLButtonElement[] {
    return [...this.markers, ...this.sourceButtons].filter((b) => Number(b.dataset.n) === n);
  }

  /** The section heading over a citation, from the retrieved passage it lies in. */
  private headingOf(citation: Citation): string | null {
    return this.passages.find((p) => p.docId === citation.docId && p.start <= citation.start && citation.end <= p.end)?.heading ?? null;
  }

  /**
   * The sources by document title, each cited span once with its `[n]` (two citations of one span share a row). A quote
   * the answer already shows word for word (an extracted sentence) is not repeated: its row says where it is instead.
   */
  private sourceList(citations: readonly Citation[]): HTMLElement {
    const before = this.textBeforeMarkers();
    const byDocument = new Map<string, Map<string, Citation[]>>();
    for (const c of citations) {
      const spans = byDocument.get(c.docId) ?? new Map<string, Citation[]>();
      byDocument.set(c.docId, spans);
      const key = `${c.start}:${c.end}`;
      const group = spans.get(key) ?? [];
      group.push(c);
      spans.set(key, group);
    }
    const items = [...byDocument].map(([docId, spans]) => {
      const name = el('p', { className: 'source-document-title' });
      this.withTitle(docId, (title) => {
        name.textContent = title;
      });
      const rows = [...spans.values()].map((group) => {
        const c = group[0]!;
        const quote = flatten(c.quote);
        const inAnswer = quote !== '' && group.some((g) => before.get(g.n)?.some((run) => run.endsWith(quote)));
        // A document's first heading is often its title, just named above.
        const heading = this.headingOf(c);
        const where = [heading !== this.titles.peek(docId) && heading, pageLabel(c), `characters ${c.start}–${c.end}`, inAnswer && 'quoted in the answer'].filter(Boolean).join(' · ');
        return el(
          'li',
          { className: 'source-span', attrs: { 'data-n': group.map((g) => g.n).join(' ') } },
          ...group.map((g) => this.sourceButton(g)),
          el('span', { className: 'source-where' }, where),
          !inAnswer && el('q', { className: 'quote' }, c.quote),
          copyButton({ label: 'Copy quote', accessibleName: `Copy quote ${c.n}`, text: () => c.quote }),
        );
      });
      return el('li', { className: 'source-document' }, name, el('ul', { className: 'source-spans' }, ...rows));
    });
    return el('section', { className: 'sources', attrs: { 'aria-label': 'Sources' } }, el('h3', {}, 'Sources'), el('ol', { className: 'source-documents' }, ...items));
  }

  /**
   * The answer's text just before each marker `[n]` (back to the previous text run, so `… [1][2]` gives both the same),
   * flattened. An extracted answer is `quote [1] quote [2]`: its quotes end these runs. One pass over the answer.
   */
  private textBeforeMarkers(): Map<number, string[]> {
    const runs = new Map<number, string[]>();
    let last = '';
    for (const segment of splitAnswer(this.body.textContent ?? '')) {
      if (segment.kind === 'text') {
        if (segment.text.trim() !== '') last = flatten(segment.text);
        continue;
      }
      const list = runs.get(segment.n) ?? [];
      list.push(last);
      runs.set(segment.n, list);
    }
    return runs;
  }

  private sourceButton(c: Citation): HTMLButtonElement {
    const open = el('button', { className: 'source-open link-button', attrs: { type: 'button', 'data-n': String(c.n) } }, `[${c.n}]`);
    this.withTitle(c.docId, (title) => open.setAttribute('aria-label', `Open source ${c.n}: ${[title, pageLabel(c), `characters ${c.start}–${c.end}`].filter(Boolean).join(', ')}`));
    open.addEventListener('click', () => this.openSource({ ...c, label: `Citation [${c.n}]` }, open, this.buttonsFor(c.n)));
    this.sourceButtons.push(open);
    return open;
  }

  private passageList(passages: readonly Passage[], label: string): HTMLOListElement {
    const items = passages.map((p, i) => {
      const open = el('button', { className: 'link-button', attrs: { type: 'button' } }, 'Show in document');
      open.addEventListener('click', () => this.openSource({ docId: p.docId, start: p.start, end: p.end, quote: p.text, label: `${label} ${i + 1}` }, open, [open]));
      const meta = el('p', { className: 'passage-meta' });
      this.withTitle(p.docId, (title) => {
        open.setAttribute('aria-label', `Show ${label.toLowerCase()} ${i + 1} in ${title}, characters ${p.start}–${p.end}`);
        meta.textContent = `${title} · characters ${p.start}–${p.end}${p.heading && p.heading !== title ? ` · ${p.heading}` : ''}`;
      });
      return el('li', { className: 'passage' }, meta, el('p', { className: 'passage-text' }, snippet(p.text)), open);
    });
    return el('ol', { className: 'passage-list' }, ...items);
  }
}

/** Where a PDF's quote is in the file itself: `p. 3`, or `pp. 1–2` across a page break; null for other documents. */
function pageLabel(c: Citation): string | null {
  if (c.pages && c.pages.length > 1) return `pp. ${c.pages[0]}–${c.pages.at(-1)}`;
  return c.page !== undefined ? `p. ${c.page}` : null;
}
